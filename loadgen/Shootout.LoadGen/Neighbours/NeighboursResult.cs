using HdrHistogram;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Neighbours;

/// <summary>One second of the measured window.</summary>
internal sealed record NeighboursPoint(int Second, long ProbeOk, long ProbeFailed, long P50, long P99, long Max,
    double FloodBytesPerSecond, double SlowestFloodBytesPerSecond, double? Jain);

/// <summary>One flood over the measured window.</summary>
internal sealed record FloodResult(int Index, long Bytes, double BytesPerSecond, long SentTotal, long ReceivedTotal, string? Error);

/// <summary>One never-reading connection at the end.</summary>
internal sealed record NeverReadingResult(int Index, long BytesWritten, double BlockedSeconds, bool ClosedByServer, string? Error);

/// <summary>The finished (or stopped) run, as the report writers see it.</summary>
internal sealed record NeighboursResult
{
    public required NeighboursPlan Plan { get; init; }
    public required string Status { get; init; }
    public required int ExitCode { get; init; }
    public string? Message { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public double WallSeconds { get; init; }

    /// <summary>The measured window on the neighbours' clock (from "mark" to "final").</summary>
    public double MeasuredSeconds { get; init; }
    public int? NeighboursPid { get; init; }

    public IReadOnlyList<FloodResult> Floods { get; init; } = [];
    public IReadOnlyList<NeverReadingResult> NeverReading { get; init; } = [];

    public long ProbesScheduled { get; init; }
    public long ProbesOk { get; init; }
    public long ProbesFailed { get; init; }
    public required HistogramBase ProbeLatency { get; init; }
    public required HistogramBase ProbeService { get; init; }
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();
    public IReadOnlyList<NeighboursPoint> Timeline { get; init; } = [];

    public double FloodMean => Floods.Count == 0 ? 0 : Floods.Average(f => f.BytesPerSecond);
    public double FloodMin => Floods.Count == 0 ? 0 : Floods.Min(f => f.BytesPerSecond);
    public double FloodMax => Floods.Count == 0 ? 0 : Floods.Max(f => f.BytesPerSecond);
    public double FloodTotal => Floods.Sum(f => f.BytesPerSecond);

    /// <summary>The slowest flood's share of the mean: the "at least half" reads off here.</summary>
    public double? SlowestOverMean => FloodMean > 0 ? FloodMin / FloodMean : null;

    public double? Jain => Fairness.Jain(Floods.Select(f => f.BytesPerSecond).ToArray());

    public long P(double percentile) => ProbeLatency.TotalCount == 0 ? 0 : ProbeLatency.GetValueAtPercentile(percentile);

    public static HistogramBase Empty() => Histograms.Create();
}
