namespace Shootout.Netpoll;

/// <summary>Settings of an <see cref="EventLoopGroup"/>.</summary>
public sealed record NetpollOptions
{
    /// <summary>Event-loop threads; 0 means one per core.</summary>
    public int Loops { get; init; }

    /// <summary>
    /// Abort a read that has waited this long since the connection last received a byte: the fiber's
    /// ReadAsync throws <see cref="TimeoutException"/>. null: never. Checked about 4 times per period.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Bytes of each loop's <see cref="EventLoop.SharedBuffer"/>.</summary>
    public int SharedBufferSize { get; init; } = 64 * 1024;

    /// <summary>Fibers yield after this many operations that completed without parking, so one busy connection cannot starve the loop.</summary>
    public int FiberBudget { get; init; } = 16;

    /// <summary>Receives exceptions that escaped a handler or a posted action; the loop keeps running.</summary>
    public Action<Exception>? OnError { get; init; }
}
