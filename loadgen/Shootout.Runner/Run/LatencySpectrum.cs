using System.Text.Json.Nodes;

namespace Shootout.Runner.Run;

/// <summary>
/// Echo latency as a percentile spectrum (HdrHistogram's view): every percentile the load generator's
/// summary.json gives, from p0 (its min) to p99.99, then max.
/// </summary>
internal static class LatencySpectrum
{
    /// <summary>One percentile (0..100; max is 100) and its latency in µs.</summary>
    public readonly record struct Point(double Percentile, double Micros, string Label);

    private static readonly (string Key, double Percentile, string Label)[] Keys =
    [
        ("min", 0, "p0"), ("p50", 50, "p50"), ("p75", 75, "p75"), ("p90", 90, "p90"), ("p95", 95, "p95"),
        ("p99", 99, "p99"), ("p999", 99.9, "p99.9"), ("p9999", 99.99, "p99.99"), ("max", 100, "max"),
    ];

    public static IReadOnlyList<Point> From(JsonNode? latency)
    {
        if (latency is null) return [];
        var points = new List<Point>();
        foreach (var (key, percentile, label) in Keys)
            if (latency[key] is JsonValue v && v.TryGetValue(out double micros))
                points.Add(new Point(percentile, micros, label));
        return points;
    }
}
