using System.Globalization;
using System.Text.RegularExpressions;
using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen.Thresholds;

internal enum Comparison { Less, LessOrEqual, Greater, GreaterOrEqual }

/// <summary>
/// One pass/fail condition on the run, as written: <c>METRIC OP VALUE[UNIT]</c>, e.g. <c>p99&lt;5ms</c>,
/// <c>errors&lt;0.1%</c>, <c>rate&gt;=99%</c>, <c>connections&gt;=50000</c>. The grammar and the metrics are
/// in the load generator's README; <see cref="Parse"/> rejects anything else naming the bad part.
/// </summary>
internal sealed partial record Threshold(string Expression, ThresholdMetric Metric, Comparison Op, double Limit)
{
    /// <summary>The scenario it judges (<c>probe.p99&lt;10ms</c>: probe); null: the whole run.</summary>
    public string? Scenario { get; init; }

    /// <summary>Also checked once a second while the run goes; a failure stops the run (k6's abortOnFail).</summary>
    public bool AbortOnFail { get; init; }

    /// <summary>How long into the measured run before a live check may abort it (k6's delayAbortEval).</summary>
    public TimeSpan AbortDelay { get; init; }

    [GeneratedRegex(@"^\s*(?<metric>[^<>=!\s]*)\s*(?<op><=|>=|==|!=|=<|=>|<|>|=)\s*(?<value>.*?)\s*$")]
    private static partial Regex Shape();

    [GeneratedRegex(@"^(?<number>[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?)\s*(?<unit>[^0-9\s]*)$")]
    private static partial Regex Value();

    public static Threshold Parse(string expression, string where)
    {
        string Bad(string problem) => $"{where}: '{expression}': {problem}";
        var m = Shape().Match(expression);
        if (!m.Success)
            throw new UsageException(Bad("no comparison; write METRIC OP VALUE with OP one of <, <=, >, >= (e.g. p99<5ms)"));
        string metricText = m.Groups["metric"].Value, opText = m.Groups["op"].Value, valueText = m.Groups["value"].Value;
        if (metricText.Length == 0) throw new UsageException(Bad($"no metric before '{opText}'"));
        // k6's form for one scenario's figure: SCENARIO.METRIC (p99.9 alone is a metric, so the metric is tried first).
        string? scenario = null;
        if (ThresholdMetric.Find(metricText) is null && metricText.IndexOf('.') is > 0 and var dot)
        {
            scenario = metricText[..dot];
            metricText = metricText[(dot + 1)..];
        }
        var metric = ThresholdMetric.Find(metricText)
            ?? throw new UsageException(Bad($"unknown metric '{metricText}' ({ThresholdMetric.Names}; SCENARIO.METRIC for one scenario)"));
        var op = opText switch
        {
            "<" => Comparison.Less,
            "<=" => Comparison.LessOrEqual,
            ">" => Comparison.Greater,
            ">=" => Comparison.GreaterOrEqual,
            _ => throw new UsageException(Bad($"unknown comparison '{opText}' (use <, <=, > or >=)")),
        };
        if (valueText.Length == 0) throw new UsageException(Bad($"no value after '{opText}'"));
        var v = Value().Match(valueText);
        if (!v.Success) throw new UsageException(Bad($"'{valueText}' is not a number with an optional unit"));
        double number = double.Parse(v.Groups["number"].Value, CultureInfo.InvariantCulture);
        string unit = v.Groups["unit"].Value;
        if (metric.Name == "errors" && unit == "") metric = ThresholdMetric.ErrorCount;
        double limit = metric.Scale(number, unit)
            ?? throw new UsageException(Bad(unit.Length == 0
                ? $"{metric.Name} needs a unit: {metric.Units}"
                : $"unit '{unit}' does not fit {metric.Name} (use {metric.Units})"));
        return new Threshold(expression.Trim(), metric, op, limit) { Scenario = scenario };
    }

    public bool Holds(double observed) => Op switch
    {
        Comparison.Less => observed < Limit,
        Comparison.LessOrEqual => observed <= Limit,
        Comparison.Greater => observed > Limit,
        _ => observed >= Limit,
    };

    /// <summary>An upper bound (<c>&lt;</c>, <c>&lt;=</c>) can be judged while the run goes; a lower bound
    /// such as <c>connections&gt;=50000</c> or <c>rate&gt;=99%</c> only once it ended.</summary>
    public bool LiveCheckable => Op is Comparison.Less or Comparison.LessOrEqual;
}
