using System.Diagnostics;

namespace Shootout.Netpoll;

/// <summary>
/// Fiber turns: the budget a fiber spends on operations that complete without parking, and the FIFO
/// queue of fibers that spent it and wait for their next turn.
/// </summary>
/// <remarks>
/// A fiber whose socket always has data never parks, so nothing but its budget makes it give the
/// thread back. A turn ends after <see cref="NetpollOptions.FiberBudget"/> operations or
/// <see cref="NetpollOptions.FiberByteBudget"/> bytes, whichever comes first; the fiber's ready
/// operation then waits in <see cref="_yielded"/>, at most once (a connection already queued is not
/// queued again, and an event for it only records readiness), and every queued fiber gets one turn
/// per loop turn, between two polls. So a new event waits for at most one turn of each busy fiber,
/// and the run queue as a whole takes no more than about <see cref="PollInterval"/> between two polls.
/// </remarks>
public sealed partial class EventLoop
{
    /// <summary>
    /// While fibers wait for their turn, the loop gives them at most this long after each poll's events
    /// before it polls again, so a new event waits for this, one fiber's turn and the events polled with
    /// it, however many fibers are busy. (Go's scheduler polls the netpoller at least every 10 ms; a turn
    /// here is far shorter than a goroutine's 10 ms time slice.)
    /// </summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);
    private static readonly long PollIntervalTicks = (long)(PollInterval.TotalSeconds * Stopwatch.Frequency);

    private readonly Queue<NetConnection> _yielded = new();
    private int _opsLeft;
    private int _bytesLeft;

    /// <summary>
    /// Gives a fiber its turn: a fresh budget, then <paramref name="resume"/>, which resumes it inline. An
    /// exception that escapes is reported and the loop goes on. Every place the loop resumes fibers from
    /// goes through here.
    /// </summary>
    private void RunFiber<TState>(TState state, Action<TState> resume)
    {
        _opsLeft = _options.FiberBudget;
        _bytesLeft = _options.FiberByteBudget;
        try
        {
            resume(state);
        }
        catch (Exception e)
        {
            ReportError(e);
        }
    }

    /// <summary>The running fiber may try one more operation in this turn.</summary>
    internal bool HasTurnLeft => _opsLeft > 0 && _bytesLeft > 0;

    /// <summary>Counts an operation that completed without parking, and the bytes it moved, against the turn.</summary>
    internal void Spend(int bytes)
    {
        _opsLeft--;
        _bytesLeft -= bytes;
    }

    /// <summary>The connection has a ready operation but its fiber used its turn: retry it after this turn's events.</summary>
    internal void Yield(NetConnection connection) => _yielded.Enqueue(connection);

    /// <summary>
    /// One turn for each fiber queued before this call, in order, or as many as fit in
    /// <see cref="PollInterval"/> (at least one): then the loop polls for new events first, and the rest
    /// keep their places at the front of the queue.
    /// </summary>
    private void RunYielded()
    {
        long start = Stopwatch.GetTimestamp();
        for (int count = _yielded.Count; count > 0; count--)
        {
            RunFiber(_yielded.Dequeue(), static connection => connection.RetryQueued());
            if (Stopwatch.GetTimestamp() - start >= PollIntervalTicks)
                return;
        }
    }
}
