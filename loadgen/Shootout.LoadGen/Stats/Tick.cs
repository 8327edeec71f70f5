using HdrHistogram;

namespace Shootout.LoadGen.Stats;

/// <summary>What one worker did in one second (counters are deltas; <see cref="Alive"/> is a level). The
/// last tick of a worker is <see cref="Final"/> and carries the run's bookends.</summary>
internal sealed class Tick
{
    public int Seq { get; set; }
    public double Elapsed { get; set; }
    public long Alive { get; set; }
    public long Attempts { get; set; }
    public long Established { get; set; }
    public long ConnectFailed { get; set; }
    public long Ok { get; set; }
    public long Failed { get; set; }
    public long BytesSent { get; set; }
    public long BytesReceived { get; set; }
    public Dictionary<string, long> Errors { get; set; } = new();
    public required HistogramBase Latency { get; set; }
    public required HistogramBase Connect { get; set; }

    public bool Final { get; set; }
    public double MeasuredSeconds { get; set; }
    public double FirstConnectSeconds { get; set; } = -1;
    public double LastConnectSeconds { get; set; } = -1;
    public string? StopReason { get; set; }
}

/// <summary>The line form of a tick on an agent's standard output.</summary>
internal sealed class TickLine
{
    public int Seq { get; set; }
    public double Elapsed { get; set; }
    public long Alive { get; set; }
    public long Attempts { get; set; }
    public long Established { get; set; }
    public long ConnectFailed { get; set; }
    public long Ok { get; set; }
    public long Failed { get; set; }
    public long BytesSent { get; set; }
    public long BytesReceived { get; set; }
    public Dictionary<string, long> Errors { get; set; } = new();
    public string Latency { get; set; } = "";
    public string Connect { get; set; } = "";
    public bool Final { get; set; }
    public double MeasuredSeconds { get; set; }
    public double FirstConnectSeconds { get; set; }
    public double LastConnectSeconds { get; set; }
    public string? StopReason { get; set; }

    public static TickLine From(Tick t) => new()
    {
        Seq = t.Seq, Elapsed = t.Elapsed, Alive = t.Alive, Attempts = t.Attempts, Established = t.Established,
        ConnectFailed = t.ConnectFailed, Ok = t.Ok, Failed = t.Failed, BytesSent = t.BytesSent,
        BytesReceived = t.BytesReceived, Errors = t.Errors, Latency = Histograms.Encode(t.Latency),
        Connect = Histograms.Encode(t.Connect), Final = t.Final, MeasuredSeconds = t.MeasuredSeconds,
        FirstConnectSeconds = t.FirstConnectSeconds, LastConnectSeconds = t.LastConnectSeconds, StopReason = t.StopReason,
    };

    public Tick ToTick() => new()
    {
        Seq = Seq, Elapsed = Elapsed, Alive = Alive, Attempts = Attempts, Established = Established,
        ConnectFailed = ConnectFailed, Ok = Ok, Failed = Failed, BytesSent = BytesSent, BytesReceived = BytesReceived,
        Errors = Errors, Latency = Histograms.Decode(Latency), Connect = Histograms.Decode(Connect), Final = Final,
        MeasuredSeconds = MeasuredSeconds, FirstConnectSeconds = FirstConnectSeconds,
        LastConnectSeconds = LastConnectSeconds, StopReason = StopReason,
    };
}
