using System.Globalization;

namespace Shootout.LoadGen.Thresholds;

/// <summary>One threshold judged: what was observed (null: nothing to judge, which fails) and whether it held.</summary>
internal sealed record ThresholdResult(Threshold Threshold, double? Observed, bool Passed)
{
    public string Expression => Threshold.Expression;

    /// <summary>The observed value in the threshold's own unit, for people: "p99 = 4210us".</summary>
    public string ObservedText => Observed is { } v
        ? $"{Threshold.Metric.Name} = {v.ToString("0.###", CultureInfo.InvariantCulture)}{Threshold.Metric.Unit}"
        : $"{Threshold.Metric.Name}: no samples";

    public string Line => $"{(Passed ? "pass" : "FAIL")}  {Expression}  ({ObservedText})";
}

/// <summary>Judges a set of thresholds on a run's figures.</summary>
internal static class ThresholdCheck
{
    public static IReadOnlyList<ThresholdResult> Judge(IEnumerable<Threshold> thresholds, RunFigures figures) =>
        thresholds.Select(t =>
        {
            double? observed = t.Metric.Observe(figures);
            return new ThresholdResult(t, observed, observed is { } v && t.Holds(v));
        }).ToList();
}
