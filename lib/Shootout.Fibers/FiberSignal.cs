using System.Threading.Tasks.Sources;

namespace Shootout.Fibers;

/// <summary>
/// Go's park/ready for one fiber, without a socket: the fiber awaits <see cref="WaitAsync"/>, code on the
/// same loop calls <see cref="Set"/> and the fiber resumes inline. Auto-reset: a <see cref="Set"/> with
/// nobody waiting is remembered once. Loop thread only; one waiter at a time; no allocation per wait.
/// </summary>
public sealed class FiberSignal : IValueTaskSource
{
    private readonly LoopThread _loop;
    private ParkedContinuation _parked;
    private short _version;
    private bool _set;
    private bool _waiting;

    public FiberSignal(LoopThread loop) => _loop = loop;

    /// <summary>Completes at once if the signal is set (and resets it), else when <see cref="Set"/> is called.</summary>
    public ValueTask WaitAsync()
    {
        _loop.CheckThread();
        if (_waiting)
            throw new InvalidOperationException("a fiber is already waiting on this signal");
        if (_set)
        {
            _set = false;
            return ValueTask.CompletedTask;
        }
        _waiting = true;
        return new ValueTask(this, _version);
    }

    /// <summary>Resumes the waiting fiber inline (before returning), or lets the next wait pass.</summary>
    public void Set()
    {
        _loop.CheckThread();
        _set = true;
        _parked.Resume();
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token)
    {
        Check(token);
        return _set ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Pending;
    }

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        Check(token);
        if (_set)
        {
            continuation(state);
            return;
        }
        _parked.Park(continuation, state);
    }

    void IValueTaskSource.GetResult(short token)
    {
        Check(token);
        if (!_set)
            throw new InvalidOperationException("the signal is not set; await the ValueTask");
        _set = false;
        _waiting = false;
        _version++;
    }

    private void Check(short token)
    {
        if (token != _version)
            throw new InvalidOperationException("this ValueTask was already awaited; await a wait once");
    }
}
