using HdrHistogram;

namespace Shootout.LoadGen.Stats;

/// <summary>What one worker did in one second (counters are deltas; <see cref="Alive"/> is a level). The
/// last tick of a worker is <see cref="Final"/> and carries the run's bookends. An agent writes it to its
/// standard output as one JSON line, property for property (<see cref="Agents.AgentProtocol"/>), so the
/// coordinator reads back the very type the worker cut.</summary>
internal sealed class Tick
{
    /// <summary>Which scenario of the run (its index in the config's <c>scenarios</c>) this tick counts.</summary>
    public int Scenario { get; set; }

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

    /// <summary>Never-reading connections the server closed (<see cref="WorkerStats.ClosedByServer"/>).</summary>
    public long ClosedByServer { get; set; }
    public Dictionary<string, long> Errors { get; set; } = new();
    public required HistogramBase Latency { get; set; }
    public required HistogramBase Connect { get; set; }
    public required HistogramBase SendLag { get; set; }
    public required HistogramBase FirstByte { get; set; }

    /// <summary>Share of a core each event loop used this second, by loop id, and the share of the second it
    /// waited for a CPU; the same for the pacer.</summary>
    public double[] LoopCpu { get; set; } = [];
    public double[] LoopWait { get; set; } = [];
    public double PacerCpu { get; set; }
    public double PacerWait { get; set; }

    public bool Final { get; set; }
    public double MeasuredSeconds { get; set; }
    public double FirstConnectSeconds { get; set; } = -1;
    public double LastConnectSeconds { get; set; } = -1;
    public string? StopReason { get; set; }

    /// <summary>Final tick only: per phase, messages echoed and messages scheduled (cumulative).</summary>
    public long[] PhaseOk { get; set; } = [];
    public long[] PhaseDue { get; set; } = [];

    /// <summary>Final tick only: each connection's own progress (messages echoed, or bytes), for fairness; empty
    /// for idle holds.</summary>
    public long[] ConnectionProgress { get; set; } = [];

    /// <summary>
    /// Each open connection's own progress so far (messages echoed, or bytes), by its index in the run, for a scenario
    /// of at most <see cref="LiveProgressLimit"/> connections per process (floods, probes): the live fairness a
    /// dashboard reads per connection. Null otherwise, so a big scenario's ticks stay small.
    /// </summary>
    public Dictionary<long, long>? LiveProgress { get; set; }

    public const int LiveProgressLimit = 64;

    /// <summary>Final tick only: rows written to and dropped from the samples file.</summary>
    public long SamplesWritten { get; set; }
    public long SamplesDropped { get; set; }
}
