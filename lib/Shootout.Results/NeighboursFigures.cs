namespace Shootout.Results;

/// <summary>
/// What `shootout-loadgen neighbours` measured, read off its run's three scenarios (<see cref="Probes"/>,
/// <see cref="Floods"/>, <see cref="NeverReading"/>): the probes' latency beside the floods and the floods' share of
/// the server. The runner's fairness phase and `make bench`'s neighbours table read the command's summary.json
/// through this type, in one place.
/// </summary>
public sealed record NeighboursFigures
{
    /// <summary>The scenario names the neighbours command gives its three roles.</summary>
    public const string Probes = "probes", Floods = "floods", NeverReading = "never-reading";

    /// <summary>Probe messages scheduled (answered or not) and failed.</summary>
    public long ProbesScheduled { get; init; }
    public long ProbesFailed { get; init; }

    /// <summary>From each probe's scheduled send (coordinated-omission corrected), µs.</summary>
    public Percentiles ProbeLatencyUs { get; init; } = new();

    /// <summary>From each probe's actual write to its echo's first byte: what the server took once it had the bytes, µs.</summary>
    public Percentiles ProbeServiceUs { get; init; } = new();

    /// <summary>Bytes echoed per second to the mean flood, over the floods' run (0 without floods).</summary>
    public double MeanFloodBytesPerS { get; init; }

    /// <summary>The floods' fairness over their connections' echoed bytes; null without floods.</summary>
    public double? SlowestOverMean { get; init; }
    public double? Jain { get; init; }

    /// <summary>Bytes the server took from the clients that never read, before it stopped taking them.</summary>
    public long NeverReadingBytes { get; init; }

    /// <summary>How many of the clients that never read the server closed (its right, not an error).</summary>
    public long NeverReadingClosedByServer { get; init; }

    /// <summary>The figures of a neighbours run; null when <paramref name="run"/> has no probes scenario (not a neighbours run,
    /// or one that failed before its scenarios were written).</summary>
    public static NeighboursFigures? Of(LoadGenResult run)
    {
        if (run.ScenarioNamed(Probes) is not { } probes) return null;
        var floods = run.ScenarioNamed(Floods);
        return new NeighboursFigures
        {
            ProbesScheduled = probes.Messages.Ok + probes.Messages.Failed,
            ProbesFailed = probes.Messages.Failed,
            ProbeLatencyUs = probes.LatencyUs,
            ProbeServiceUs = probes.FirstByteLatencyUs,
            MeanFloodBytesPerS = floods is { DurationS: > 0, Connections.Established: > 0 }
                ? floods.Bytes.Received / floods.DurationS / floods.Connections.Established : 0,
            SlowestOverMean = floods?.Fairness?.SlowestOverMean,
            Jain = floods?.Fairness?.Jain,
            NeverReadingBytes = run.ScenarioNamed(NeverReading)?.Bytes.Sent ?? 0,
            NeverReadingClosedByServer = run.ScenarioNamed(NeverReading)?.Connections.ClosedByServer ?? 0,
        };
    }
}
