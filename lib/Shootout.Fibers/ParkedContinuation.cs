namespace Shootout.Fibers;

/// <summary>
/// What a parked fiber leaves behind: the continuation its await registered, kept until the
/// awaited thing happens, then run once, inline, on the loop thread. Shared by every awaitable here
/// (connections, sleeps, signals).
/// </summary>
public struct ParkedContinuation
{
    private Action<object?>? _continuation;
    private object? _state;

    public readonly bool IsParked => _continuation is not null;

    public void Park(Action<object?> continuation, object? state)
    {
        _continuation = continuation;
        _state = state;
    }

    /// <summary>Runs the parked continuation, if any, forgetting it first so it may park again.</summary>
    public void Resume()
    {
        Action<object?>? continuation = _continuation;
        if (continuation is null)
            return;
        object? state = _state;
        _continuation = null;
        _state = null;
        continuation(state);
    }
}
