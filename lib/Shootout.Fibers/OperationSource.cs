using System.Threading.Tasks.Sources;
using Shootout.Fibers.Interop;

namespace Shootout.Fibers;

/// <summary>
/// A connection as the source behind the <see cref="NetOperation"/>s it returns, whatever polls it (the
/// netpoller's connection, the io_uring engine's): one operation at a time, versioned so each is awaited
/// once; the fiber's continuation is parked here and resumed inline when the poller completes the operation.
/// </summary>
/// <remarks>
/// A base class rather than a struct field in each connection: its fields fill 16 bytes exactly, so a
/// connection pays no padding for it. What a poller adds is <see cref="OnResultTaken"/> (the operation is
/// over, another may begin) and when to call <see cref="Complete"/>.
/// </remarks>
public abstract class OperationSource : IValueTaskSource<int>
{
    /// <summary>A result that is not an errno: the loop's idle timeout closed the connection.</summary>
    internal const int IdleTimeoutCode = -1_000_000;

    private ParkedContinuation _parked;
    private int _result;      // bytes, or -errno (or IdleTimeoutCode) once the operation completes
    private short _version;
    private bool _completed;

    /// <summary>The pending operation has a result waiting for its fiber to take it.</summary>
    protected bool IsCompleted => _completed;

    /// <summary>
    /// The result the operation will complete with, set before completion by one that knows it early (a write
    /// completes with its whole length however many sends it takes).
    /// </summary>
    protected int Result
    {
        get => _result;
        set => _result = value;
    }

    /// <summary>The pending operation, as its fiber awaits it.</summary>
    protected NetOperation PendingOperation() => new(this, _version);

    /// <summary>The token of the pending operation (a ValueTask over this source needs it).</summary>
    protected short Version => _version;

    /// <summary>Completes the pending operation: the parked fiber, if any, resumes inline before this returns.</summary>
    protected void Complete(int result)
    {
        _result = result;
        _completed = true;
        _parked.Resume();
    }

    /// <summary>The fiber took the result: the connection may begin another operation.</summary>
    protected abstract void OnResultTaken();

    protected ValueTaskSourceStatus GetStatus(short token)
    {
        CheckToken(token);
        if (!_completed)
            return ValueTaskSourceStatus.Pending;
        return _result >= 0 ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Faulted;
    }

    protected void OnCompleted(Action<object?> continuation, object? state, short token)
    {
        CheckToken(token);
        if (_parked.IsParked)
            throw new InvalidOperationException("another operation is pending on this connection; a fiber runs one at a time");
        if (_completed)
        {
            continuation(state);
            return;
        }
        _parked.Park(continuation, state);
    }

    protected int GetResult(short token)
    {
        CheckToken(token);
        if (!_completed)
            throw new InvalidOperationException("the operation has not completed; await it");
        int result = _result;
        _completed = false;
        _version++;
        OnResultTaken();
        return result >= 0 ? result : throw ToException(result);
    }

    /// <summary>What a failed result (-errno, or the idle timeout) surfaces as.</summary>
    protected static Exception ToException(int result) =>
        result == IdleTimeoutCode ? new TimeoutException("connection idle timeout") : Errno.ToException(-result);

    private void CheckToken(short token)
    {
        if (token != _version)
            throw new InvalidOperationException("this operation was already awaited; a connection's operations may be awaited once");
    }

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        OnCompleted(continuation, state, token);

    int IValueTaskSource<int>.GetResult(short token) => GetResult(token);
}
