using System.Threading.Tasks.Sources;
using Shootout.Fibers.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// What <see cref="EventLoop.Delay"/> returns: a pooled awaitable that sits in its loop's timer heap
/// until due (Go's time.Sleep in a goroutine: a timer on the P's heap, no thread). Only sleeping fibers
/// own one; it goes back to the loop's pool when the fiber resumes.
/// </summary>
internal sealed class SleepTimer : IValueTaskSource
{
    private readonly EventLoop _loop;
    private ParkedContinuation _parked;
    private int _result;     // 0, or -errno when aborted
    private short _version;
    private bool _completed;

    public SleepTimer(EventLoop loop) => _loop = loop;

    public ValueTask Start() => new(this, _version);

    /// <summary>Due (result 0) or aborted (-errno): the sleeping fiber resumes inline.</summary>
    public void Fire(int result)
    {
        _result = result;
        _completed = true;
        _parked.Resume();
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        Check(token);
        return !_completed ? ValueTaskSourceStatus.Pending
            : _result == 0 ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Faulted;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        Check(token);
        if (_completed)
        {
            continuation(state);
            return;
        }
        _parked.Park(continuation, state);
    }

    public void GetResult(short token)
    {
        Check(token);
        if (!_completed)
            throw new InvalidOperationException("the delay has not elapsed; await the ValueTask");
        int result = _result;
        _completed = false;
        _result = 0;
        _version++;
        _loop.ReturnSleepTimer(this);
        if (result != 0)
            throw Errno.ToException(-result);
    }

    private void Check(short token)
    {
        if (token != _version)
            throw new InvalidOperationException("this ValueTask was already awaited; await a delay once");
    }
}
