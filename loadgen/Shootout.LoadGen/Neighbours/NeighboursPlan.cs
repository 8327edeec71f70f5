using System.Text.Json.Serialization;

namespace Shootout.LoadGen.Neighbours;

/// <summary>Where the two roles run. Separate processes is the default: the kernel then schedules the probes'
/// process and the neighbours' process like any two programs, so a busy flood on the client side cannot
/// delay a probe's send or its read of the echo by holding the probe's event loop.</summary>
internal enum NeighboursLayout
{
    /// <summary>Probes in the coordinator process on their own event loop; floods and never-reading
    /// connections in one child process on theirs.</summary>
    SeparateProcesses,

    /// <summary>One process; probes and neighbours still on separate event loops (threads).</summary>
    SeparateLoops,
}

/// <summary>
/// One run of the neighbours scenario, checked: light probe connections measured beside heavy neighbours
/// (floods that keep a window of bytes in flight, clients that never read). Serialisable: the
/// coordinator hands it to the neighbours' process unchanged.
/// </summary>
internal sealed record NeighboursPlan
{
    /// <summary>The target as the user wrote it; the label of every metric.</summary>
    public required string TargetLabel { get; init; }

    /// <summary>Expanded destinations ("address:port"); connection k of each role goes to Targets[k % Count].</summary>
    public required IReadOnlyList<string> Targets { get; init; }

    public int Floods { get; init; } = 16;

    /// <summary>Bytes per write of a flood (and of a never-reading connection).</summary>
    public int MessageSize { get; init; } = 64 * 1024;

    /// <summary>Bytes a flood keeps in flight at most (written, not yet echoed back).</summary>
    public int Window { get; init; } = 256 * 1024;

    public int NeverReading { get; init; }

    public int Probes { get; init; } = 100;

    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    public int ProbeSize { get; init; } = 9;

    /// <summary>Floods run this long before the probes' clock starts, so they are measured in their steady state.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A probe's echo, or a flood's progress, waited for longer than this is an error.</summary>
    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public NeighboursLayout Layout { get; init; } = NeighboursLayout.SeparateProcesses;

    /// <summary>
    /// The neighbours' process runs at this nice value (0 to 19; separate processes only). Generator and server
    /// share this machine's cores: at equal priority, 16 floods' client threads take CPU the server's threads and
    /// the probes' process would otherwise get, and the probes then measure the kernel's share-out of two cores
    /// rather than the server's scheduling. Measured here (16 floods + 1 never-reading, 100 probes): epoll's
    /// probe p50 1.4-1.5 ms at nice 0, 0.15-0.21 ms at nice 10, the floods' bytes/s about 10% lower.
    /// </summary>
    public int NeighboursNice { get; init; } = 10;

    /// <summary>
    /// The probes' process (the coordinator) asks for this nice value (-20 to 0; separate processes only): the
    /// instrument should not wait behind the server's threads for a core either. Raising priority needs root
    /// (CAP_SYS_NICE); without it the probes stay at 0, and the run's summary says which it got. Measured here
    /// (async engine, neighbours at nice 10): probe p50 0.79-0.97 ms with the probes at 0, 0.52-0.65 ms at -5.
    /// </summary>
    public int ProbesNice { get; init; } = -5;

    [JsonIgnore]
    public string LayoutDescription => Layout == NeighboursLayout.SeparateProcesses
        ? "separate processes: probes on one event loop in the coordinator, neighbours on their own event loops in a child process"
          + $" at nice {NeighboursNice}, probes at nice {ProbesNice}"
        : "one process: probes and neighbours on separate event loops";
}
