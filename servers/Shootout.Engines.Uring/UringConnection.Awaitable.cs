using System.Threading.Tasks.Sources;
using Shootout.Engines.Uring.Interop;
using Shootout.Netpoll;

namespace Shootout.Engines.Uring;

/// <summary>
/// The connection is itself the <see cref="IValueTaskSource{TResult}"/> behind the <see cref="NetOperation"/>s
/// it returns: one operation at a time, versioned so each is awaited once; the fiber's continuation is
/// parked here and resumed inline when the operation's CQE completes it.
/// </summary>
/// <remarks>
/// The same shape as the netpoller's <c>NetConnection.Awaitable.cs</c>, over this connection's own state bits
/// (a separate struct for both would cost every idle connection its padding); what the two share is the
/// netpoller's <see cref="ParkedContinuation"/> and <see cref="NetOperation"/>.
/// </remarks>
internal sealed partial class UringConnection : IValueTaskSource<int>
{
    private ParkedContinuation _parked;
    private int _result;
    private short _version;

    private void Complete(int result)
    {
        _result = result;
        _state |= State.Completed;
        _parked.Resume();
    }

    private void CheckToken(short token)
    {
        if (token != _version)
            throw new InvalidOperationException("this operation was already awaited; await each once");
    }

    public ValueTaskSourceStatus GetStatus(short token)
    {
        CheckToken(token);
        if ((_state & State.Completed) == 0)
            return ValueTaskSourceStatus.Pending;
        return _result >= 0 ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Faulted;
    }

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
    {
        CheckToken(token);
        if ((_state & State.Completed) != 0)
        {
            continuation(state);
            return;
        }
        _parked.Park(continuation, state);
    }

    public int GetResult(short token)
    {
        CheckToken(token);
        if ((_state & State.Completed) == 0)
            throw new InvalidOperationException("the operation has not completed; await it");
        int result = _result;
        _state &= ~State.Completed;
        _op = Op.None;
        _version++;
        if (result >= 0)
            return result;
        throw result == IdleTimeoutCode ? new TimeoutException("connection idle timeout") : Errno.ToException(-result);
    }
}
