using HdrHistogram;

namespace Shootout.LoadGen.Stats;

/// <summary>What one worker did in one second (counters are deltas; <see cref="Alive"/> is a level). The
/// last tick of a worker is <see cref="Final"/> and carries the run's bookends. An agent writes it to its
/// standard output as one JSON line, property for property (<see cref="Agents.AgentProtocol"/>), so the
/// coordinator reads back the very type the worker cut.</summary>
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
