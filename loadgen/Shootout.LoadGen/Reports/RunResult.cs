using HdrHistogram;
using Shootout.LoadGen.Hints;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.LoadGen.Thresholds;

namespace Shootout.LoadGen.Reports;

/// <summary>The finished (or stopped) run, as the report writers see it.</summary>
internal sealed record RunResult(
    LoadPlan Plan,
    RunAggregate Totals,
    string Status,
    int ExitCode,
    string? Message,
    int Agents,
    DateTimeOffset StartedAt,
    double WallSeconds)
{
    public IReadOnlyList<ThresholdResult> Thresholds { get; init; } = [];

    /// <summary>Each scenario's own result, in the config's order (one: the run itself, as a scenario).</summary>
    public IReadOnlyList<RunResult> Scenarios { get; init; } = [];

    public IReadOnlyList<PhaseRate> Phases { get => field ??= PhaseRates.Of(Plan, Totals); init; }

    public IReadOnlyList<Hint> Hints { get => field ??= HintAnalyzer.Analyze(Plan, Totals, Phases); init; }

    /// <summary>How evenly this scenario's connections progressed (messages echoed, or bytes for floods and
    /// writers that never read): Jain's index and the slowest over the mean; null for idle holds.
    /// Several scenarios' connections are not compared with each other (messages against bytes): the run of
    /// several has none of its own.
    public FairnessSummary? Fairness => Totals.ConnectionProgress.Count == 0 || Scenarios.Count > 1 ? null
        : FairnessSummary.Of(Totals.ConnectionProgress, Plan.Scenario is ScenarioKind.Flood or ScenarioKind.NeverReading ? "bytes" : "messages");

    /// <summary>Round trip beside time to first byte, connect and the generator's own send lag.</summary>
    public IReadOnlyList<LatencySummary> Latencies =>
    [
        LatencySummary.Of("round trip", Totals.Latency), LatencySummary.Of("time to first byte", Totals.FirstByte),
        LatencySummary.Of("connect", Totals.Connect), LatencySummary.Of("send lag (generator)", Totals.SendLag),
    ];

    public string MessageStepName => Plan.Scenario switch
    {
        ScenarioKind.Hold => "heartbeat",
        ScenarioKind.Flood => "flood",
        ScenarioKind.NeverReading => "never-reading",
        _ => "echo",
    };

    public double ConnectSpanSeconds =>
        Totals.FirstConnectSeconds < 0 || Totals.LastConnectSeconds < 0 ? 0
        : Math.Max(0.001, Totals.LastConnectSeconds - Totals.FirstConnectSeconds);

    public double ConnectRatePerSecond => ConnectSpanSeconds <= 0 ? 0 : Totals.Established / ConnectSpanSeconds;

    public double AchievedRate => Totals.MeasuredSeconds <= 0 ? 0 : Totals.Ok / Totals.MeasuredSeconds;

    /// <summary>
    /// This process's requested message rate, averaged over the same measured seconds as
    /// <see cref="AchievedRate"/>: what the phases asked for, phase by phase (a plan that ramps and pauses
    /// asks for different rates in each; <see cref="Phases"/> has them one by one).
    /// </summary>
    public double RequestedRate => Plan switch
    {
        { OpenModel: true } when Totals.MeasuredSeconds > 0 && PhaseRates.RequestedMessages(Phases) is { } messages =>
            messages / Totals.MeasuredSeconds,
        { Scenario: ScenarioKind.Hold, Heartbeat: { } hb } => Plan.ShareConnections / hb.TotalSeconds,
        _ => 0,
    };

    public IReadOnlyList<StepStats> Steps =>
    [
        new("connect", Totals.Established, Totals.ConnectFailed, Totals.Connect, ConnectSpanSeconds, 0, 0),
        new(MessageStepName, Totals.Ok, Totals.Failed, Totals.Latency, Totals.MeasuredSeconds,
            Totals.BytesSent + Totals.BytesReceived, Plan.MessageSize * 2),
    ];
}

/// <summary>How evenly connections progressed: Jain's index over their shares and the slowest over the mean.</summary>
internal sealed record FairnessSummary(int Connections, double? Jain, double? SlowestOverMean, string Unit)
{
    public static FairnessSummary Of(IReadOnlyCollection<long> progress, string unit)
    {
        var shares = progress.Select(p => (double)p).ToArray();
        return new(shares.Length, Stats.Fairness.Jain(shares), Stats.Fairness.SlowestOverMean(shares), unit);
    }
}

/// <summary>One latency measure's percentiles in microseconds (zeros when it has no samples).</summary>
internal sealed record LatencySummary(string Name, long Count, double P50, double P90, double P99, double P999, double Max)
{
    public static LatencySummary Of(string name, HistogramBase h) => h.TotalCount == 0
        ? new(name, 0, 0, 0, 0, 0, 0)
        : new(name, h.TotalCount, h.GetValueAtPercentile(50), h.GetValueAtPercentile(90), h.GetValueAtPercentile(99),
            h.GetValueAtPercentile(99.9), h.GetMaxValue());
}

/// <summary>NBomber's per-step figures. Latencies in microseconds.</summary>
internal sealed record StepStats(string Name, long Ok, long Failed, HistogramBase Histogram, double Seconds,
    long BytesAll, long BytesPerRequest)
{
    public long Requests => Ok + Failed;
    public double Rps => Seconds <= 0 ? 0 : Ok / Seconds;
    private bool Any => Histogram.TotalCount > 0;
    public double Min => Any ? Histogram.RecordedValues().First().ValueIteratedTo : 0;
    public double Mean => Any ? Histogram.GetMean() : 0;
    public double Max => Any ? Histogram.GetMaxValue() : 0;
    public double StdDev => Any ? Histogram.GetStdDeviation() : 0;
    public double P(double percentile) => Any ? Histogram.GetValueAtPercentile(percentile) : 0;
}
