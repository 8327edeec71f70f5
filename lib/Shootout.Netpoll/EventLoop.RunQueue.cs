namespace Shootout.Netpoll;

/// <summary>
/// Fiber turns: the budget a fiber spends on operations that complete without parking, and the
/// queue of fibers that spent it and wait for their next turn.
/// </summary>
public sealed partial class EventLoop
{
    private readonly Queue<NetConnection> _yielded = new();
    private int _budget;

    /// <summary>
    /// Gives a fiber its turn: a fresh budget, then <paramref name="resume"/>, which resumes it inline. An
    /// exception that escapes is reported and the loop goes on. Every place the loop resumes fibers from
    /// goes through here.
    /// </summary>
    private void RunFiber<TState>(TState state, Action<TState> resume)
    {
        _budget = _options.FiberBudget;
        try
        {
            resume(state);
        }
        catch (Exception e)
        {
            Report(e);
        }
    }

    /// <summary>Counts an operation that completed without parking; false: the fiber has used its turn.</summary>
    internal bool TakeBudget() => --_budget > 0;

    /// <summary>The connection has a ready operation but its fiber used its turn: retry it after this turn's events.</summary>
    internal void Yield(NetConnection connection) => _yielded.Enqueue(connection);

    private void RunYielded()
    {
        for (int count = _yielded.Count; count > 0; count--)
            RunFiber(_yielded.Dequeue(), static connection => connection.Retry());
    }
}
