namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// The neighbours' counters at one moment, cumulative since they started: what the neighbours' process
/// writes to the coordinator once a second ("tick"), when the probes' clock starts ("mark") and at the end
/// ("final"). Rates are differences of two snapshots over their <see cref="Elapsed"/>, on one clock.
/// </summary>
internal sealed record FleetSnapshot
{
    public const string Tick = "tick", Mark = "mark", Final = "final";

    public required string Kind { get; init; }

    /// <summary>Seconds since the neighbours started, on the neighbours' clock.</summary>
    public double Elapsed { get; init; }

    /// <summary>Per flood: bytes written and bytes echoed back (checked against what was sent).</summary>
    public required long[] FloodSent { get; init; }
    public required long[] FloodReceived { get; init; }

    /// <summary>Per flood: the error kind that ended it, or null while it runs.</summary>
    public required string?[] FloodErrors { get; init; }

    /// <summary>Per never-reading connection: bytes the server took before backpressure stopped the writes.</summary>
    public required long[] NeverReadingSent { get; init; }

    /// <summary>Per never-reading connection: seconds since its last write completed (how long backpressure has held it).</summary>
    public required double[] NeverReadingBlockedSeconds { get; init; }

    /// <summary>Per never-reading connection: the server closed it (a policy, not a client error).</summary>
    public required bool[] NeverReadingClosed { get; init; }

    /// <summary>Per never-reading connection: the error kind that ended it otherwise, or null.</summary>
    public required string?[] NeverReadingErrors { get; init; }
}
