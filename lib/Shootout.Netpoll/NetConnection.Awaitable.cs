using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// The connection as the source behind its awaitables: <see cref="NetOperation"/> (reads, writes) and
/// ValueTask (connect, <see cref="NetOperation.AsValueTask"/>), versioned so each is awaited once.
/// </summary>
public sealed partial class NetConnection : IValueTaskSource<int>, IValueTaskSource<NetConnection>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void BeginOperation()
    {
        _loop.CheckThread();
        if (_op != Op.None)
            ThrowBusy();
        if ((_state & State.Closed) != 0)
            throw new ObjectDisposedException(nameof(NetConnection));
        if (DeadlineMs != 0 && _loop.ClockMs() - DeadlineMs >= 0)
            throw Errno.ToException(Errno.ETIMEDOUT);
    }

    private static void ThrowBusy() =>
        throw new InvalidOperationException("another operation is pending on this connection; a fiber runs one at a time");

    private void Complete(int result)
    {
        _result = result;
        _state |= State.Completed;
        if ((_state & State.RentedBuffer) != 0)
        {
            _state &= ~State.RentedBuffer;
            if (MemoryMarshal.TryGetArray<byte>(_buffer, out var segment))
                ArrayPool<byte>.Shared.Return(segment.Array!);
        }
        _buffer = default;
        _parked.Resume();
    }

    private void CheckToken(short token)
    {
        if (token != _version)
            throw new InvalidOperationException("this ValueTask was already awaited; a connection's ValueTasks may be awaited once");
    }

    internal ValueTaskSourceStatus GetStatus(short token)
    {
        CheckToken(token);
        if ((_state & State.Completed) == 0)
            return ValueTaskSourceStatus.Pending;
        return _result >= 0 ? ValueTaskSourceStatus.Succeeded : ValueTaskSourceStatus.Faulted;
    }

    internal void OnCompleted(Action<object?> continuation, object? state, short token)
    {
        CheckToken(token);
        if (_parked.IsParked)
            ThrowBusy();
        if ((_state & State.Completed) != 0)
        {
            continuation(state);
            return;
        }
        _parked.Park(continuation, state);
    }

    internal int GetResult(short token)
    {
        CheckToken(token);
        if ((_state & State.Completed) == 0)
            throw new InvalidOperationException("the operation has not completed; await the ValueTask");
        int result = _result;
        _state &= ~State.Completed;
        _op = Op.None;
        _version++;
        return result >= 0 ? result : throw ToException(result);
    }

    private static Exception ToException(int code) =>
        code == IdleTimeoutCode ? new TimeoutException("connection idle timeout") : Errno.ToException(-code);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => GetStatus(token);
    ValueTaskSourceStatus IValueTaskSource<NetConnection>.GetStatus(short token) => GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        OnCompleted(continuation, state, token);

    void IValueTaskSource<NetConnection>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        OnCompleted(continuation, state, token);

    int IValueTaskSource<int>.GetResult(short token) => GetResult(token);

    NetConnection IValueTaskSource<NetConnection>.GetResult(short token)
    {
        GetResult(token);
        return this;
    }
}
