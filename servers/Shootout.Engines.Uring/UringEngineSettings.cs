namespace Shootout.Engines.Uring;

/// <summary>What every loop of the engine is built with.</summary>
internal sealed record UringEngineSettings
{
    public RingFeatures Features { get; init; } = new();

    /// <summary>SQ entries per ring (the CQ gets 4x: a turn's completions fit without overflowing).</summary>
    public uint RingEntries { get; init; } = 1024;

    /// <summary>Provided buffers per loop, a power of two: the most receives one turn can complete before they fall back to a buffer of their own.</summary>
    public int BufferCount { get; init; } = 256;

    /// <summary>Bytes per receive buffer: the most a connection holds for a client that does not read.</summary>
    public int BufferSize { get; init; } = 64 * 1024;

    public TimeSpan? IdleTimeout { get; init; }

    public Action<Exception>? OnError { get; init; }
}
