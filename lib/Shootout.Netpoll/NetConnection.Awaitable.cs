using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using Shootout.Fibers.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// The connection as the source behind its awaitables: <see cref="NetOperation"/> (reads, writes) through
/// the fiber core's <see cref="OperationSource"/>, and a ValueTask of the connection itself for a connect.
/// </summary>
public sealed partial class NetConnection : IValueTaskSource<NetConnection>
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

    /// <summary>Completes the pending operation, first giving back a buffer rented for a partial write.</summary>
    private void Finish(int result)
    {
        if ((_state & State.RentedBuffer) != 0)
        {
            _state &= ~State.RentedBuffer;
            if (MemoryMarshal.TryGetArray<byte>(_buffer, out var segment))
                ArrayPool<byte>.Shared.Return(segment.Array!);
        }
        _buffer = default;
        base.Complete(result);
    }

    protected override void OnResultTaken() => _op = Op.None;

    ValueTaskSourceStatus IValueTaskSource<NetConnection>.GetStatus(short token) => GetStatus(token);

    void IValueTaskSource<NetConnection>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        OnCompleted(continuation, state, token);

    NetConnection IValueTaskSource<NetConnection>.GetResult(short token)
    {
        GetResult(token);
        return this;
    }
}
