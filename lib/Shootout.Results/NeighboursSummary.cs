using System.Text.Json;

namespace Shootout.Results;

/// <summary>
/// The `shootout-loadgen neighbours` command's DIR/summary.json, typed: the probes' latency beside the floods and
/// the never-reading clients, and how evenly the floods shared the server. The runner's fairness phase and
/// `make bench`'s neighbours table read it through this type, so the command may change engines underneath
/// (its own run today, three scenarios tomorrow) as long as it fills these fields.
/// </summary>
public sealed record NeighboursSummary
{
    public string Scenario { get; init; } = "";
    public string Status { get; init; } = "unknown";
    public int ExitCode { get; init; }
    public string? Message { get; init; }
    public double DurationS { get; init; }

    /// <summary>separate_processes (the probes in their own process, at their own nice value) or separate_loops.</summary>
    public string Layout { get; init; } = "";
    public ProbeFigures Probes { get; init; } = new();
    public FloodFigures Floods { get; init; } = new();
    public NeverReadingFigures NeverReading { get; init; } = new();
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();

    public static NeighboursSummary Parse(string json) =>
        JsonSerializer.Deserialize<NeighboursSummary>(json, LoadGenResult.Json) ?? throw new JsonException("summary.json holds null");

    public static NeighboursSummary Load(string path) => Parse(File.ReadAllText(path));
}

/// <summary>The light clients: <see cref="LatencyUs"/> from each probe's scheduled send (CO-corrected), <see cref="ServiceUs"/> from its write.</summary>
public sealed record ProbeFigures(int Count = 0, int Size = 0, double IntervalMs = 0, long Scheduled = 0, long Ok = 0, long Failed = 0)
{
    public Percentiles LatencyUs { get; init; } = new();
    public Percentiles ServiceUs { get; init; } = new();
}

/// <summary>The floods' throughput (bytes echoed per second) and how evenly they shared it; each flood's own in <see cref="PerFlood"/>.</summary>
public sealed record FloodFigures(int Count = 0, int MessageSize = 0, int Window = 0, double MeanBytesPerS = 0, double MinBytesPerS = 0,
    double MaxBytesPerS = 0, double TotalBytesPerS = 0, double? SlowestOverMean = null, double? JainIndex = null)
{
    public IReadOnlyList<FloodEntry> PerFlood { get; init; } = [];
}

public sealed record FloodEntry(int Index = 0, long Bytes = 0, double BytesPerS = 0, long SentTotal = 0, long ReceivedTotal = 0, string? Error = null);

/// <summary>The clients that write and never read: what they got into the server before it stopped taking their bytes.</summary>
public sealed record NeverReadingFigures(int Count = 0, long BytesWritten = 0)
{
    public IReadOnlyList<NeverReadingEntry> PerConnection { get; init; } = [];
}

public sealed record NeverReadingEntry(int Index = 0, long BytesWritten = 0, double BlockedS = 0, bool ClosedByServer = false, string? Error = null);
