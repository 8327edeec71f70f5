using System.Text.Json;

namespace Shootout.Results;

/// <summary>
/// A load generator run's DIR/summary.json, typed: the whole run's figures and, per scenario, its own
/// (<see cref="Scenarios"/>). Field names are snake_case in the file. Only what readers use is typed here; the
/// file holds more (phases, event loops, samples).
/// </summary>
public sealed record LoadGenResult : ScenarioFigures
{
    public string Scenario { get; init; } = "";
    public string Status { get; init; } = "unknown";
    public int ExitCode { get; init; }
    public string? Message { get; init; }
    public double WallS { get; init; }
    public int Agents { get; init; }
    public IReadOnlyList<ThresholdOutcome> Thresholds { get; init; } = [];

    /// <summary>Each scenario's own figures, in the config's order (one for a one-scenario run).</summary>
    public IReadOnlyList<ScenarioResult> Scenarios { get; init; } = [];

    public ScenarioResult? ScenarioNamed(string name) => Scenarios.FirstOrDefault(s => s.Name == name);

    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static LoadGenResult Parse(string json) =>
        JsonSerializer.Deserialize<LoadGenResult>(json, Json) ?? throw new JsonException("summary.json holds null");

    public static LoadGenResult Load(string path) => Parse(File.ReadAllText(path));
}

/// <summary>One scenario of a run: its name and kind, and its figures.</summary>
public sealed record ScenarioResult : ScenarioFigures
{
    public string Name { get; init; } = "";

    /// <summary>hold, echo, echo-closed, probe, flood or never-reading.</summary>
    public string Kind { get; init; } = "";
}

/// <summary>The figures a run has as a whole and each of its scenarios has on its own.</summary>
public record ScenarioFigures
{
    public string Target { get; init; } = "";
    public double DurationS { get; init; }
    public int MessageSize { get; init; }
    public ConnectionCounts Connections { get; init; } = new();
    public MessageCounts Messages { get; init; } = new();
    public RateFigures Rate { get; init; } = new();
    public Percentiles LatencyUs { get; init; } = new();
    public double ConnectRatePerS { get; init; }
    public Percentiles ConnectLatencyUs { get; init; } = new();
    public Percentiles FirstByteLatencyUs { get; init; } = new();
    public Percentiles SendLagUs { get; init; } = new();
    public IReadOnlyDictionary<string, long> Errors { get; init; } = new Dictionary<string, long>();
    public ByteCounts Bytes { get; init; } = new();
    public IReadOnlyList<HintEntry> Hints { get; init; } = [];

    /// <summary>How evenly the connections progressed; null for idle holds and for a run of several scenarios.</summary>
    public FairnessFigures? Fairness { get; init; }
}

/// <summary><see cref="ClosedByServer"/>: never-reading connections the server closed (its right, not an error).</summary>
public sealed record ConnectionCounts(long Requested = 0, long Established = 0, long Failed = 0, long PeakOpen = 0, long ClosedByServer = 0);

public sealed record MessageCounts(long Ok = 0, long Failed = 0);

public sealed record RateFigures(double Requested = 0, double Achieved = 0);

public sealed record ByteCounts(long Sent = 0, long Received = 0);

/// <summary>Microseconds; a percentile the file leaves out is 0.</summary>
public sealed record Percentiles(double Min = 0, double Mean = 0, double P50 = 0, double P90 = 0, double P99 = 0, double P999 = 0,
    double P9999 = 0, double Max = 0, long Count = 0);

public sealed record HintEntry(string Kind = "", string Message = "", string Cause = "", string Suggestion = "");

public sealed record ThresholdOutcome(string Expr = "", double? Observed = null, string Unit = "", bool Passed = false);

/// <summary>Jain's index and the slowest over the mean, over the connections' own progress (<see cref="Of"/>: messages or bytes).</summary>
public sealed record FairnessFigures(int Connections = 0, string Of = "", double? Jain = null, double? SlowestOverMean = null);
