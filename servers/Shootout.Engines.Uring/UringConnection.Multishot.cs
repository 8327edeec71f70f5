using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>
/// Multishot receive (IORING_RECV_MULTISHOT): one receive request armed for the connection's life,
/// posting a CQE, each with a buffer from the ring, whenever data arrives. It saves a receive SQE and a
/// poll arm per message; what it costs is that the kernel goes on receiving while the fiber's send is
/// pending, so those arrivals wait here, in order, until the fiber asks for them.
/// </summary>
/// <remarks>
/// Backpressure stays: once <see cref="PauseAfterArrivals"/> arrivals wait behind a pending send (a
/// client that writes but does not read) the request is cancelled, and re-armed when the fiber has
/// taken them all. A client that stops reading is therefore not read from beyond a few buffers.
/// A request the kernel ends (end of stream, an error, no buffer left) posts a CQE without F_MORE.
/// </remarks>
internal sealed partial class UringConnection
{
    private const int PauseAfterArrivals = 2;

    // Each: the CQE's result in the low 32 bits, its buffer id (or NoBuffer) in the high ones. Allocated
    // the first time something arrives behind a send, so an idle connection pays a null reference.
    private Queue<long>? _arrivals;

    private void ArmMultishotReceive()
    {
        _loop.PrepareMultishotReceive(this);
        _state |= State.ReceiveInFlight | State.Multishot;
    }

    /// <summary>The loop received a CQE of this connection's multishot receive.</summary>
    internal void OnMultishotReceiveCompleted(int res, uint flags)
    {
        if ((flags & IoUring.CqeMore) == 0)
            _state &= ~(State.ReceiveInFlight | State.Multishot | State.Pausing);
        int buffer = NoBuffer;
        if ((flags & IoUring.CqeBuffer) != 0)
        {
            _loop.Buffers!.OnLent();
            buffer = (ushort)(flags >> IoUring.CqeBufferShift);
        }
        if (IsClosed)
        {
            if (buffer >= 0)
                _loop.Buffers!.Return((ushort)buffer);
            if (!InFlight)
                Release();
            return;
        }
        if (res is -Errno.ECANCELED or -Errno.ENOBUFS)
        {
            // Ended without data: the pause asked for above, or the ring had no buffer published.
            if (IsWaitingForRead)
            {
                if (res == -Errno.ENOBUFS)
                    ReceiveWhenBuffersAreBack();
                else
                    ArmMultishotReceive();
            }
            return;
        }
        if (res > 0)
            LastActiveMs = _loop.NowMs;
        if (IsWaitingForRead)
        {
            Deliver(res, buffer);
            return;
        }
        (_arrivals ??= new Queue<long>(PauseAfterArrivals + 2)).Enqueue((long)buffer << 32 | (uint)res);
        if (_arrivals.Count >= PauseAfterArrivals && (_state & (State.Multishot | State.Pausing)) == State.Multishot)
        {
            _loop.PrepareCancelMultishotReceive(this);
            _state |= State.Pausing;
        }
    }

    /// <summary>Completes the fiber's receive with what arrived while it was sending, if anything did.</summary>
    private bool TryTakeArrival()
    {
        if (_arrivals is null || !_arrivals.TryDequeue(out long arrival))
            return false;
        Deliver((int)arrival, (int)(arrival >> 32));
        return true;
    }

    private void Deliver(int res, int buffer)
    {
        _held = buffer;
        _received = Math.Max(res, 0);
        Complete(res);
    }

    /// <summary>Closed: what arrived and was never asked for goes back to the ring.</summary>
    private void DropArrivals()
    {
        while (_arrivals is not null && _arrivals.TryDequeue(out long arrival))
        {
            int buffer = (int)(arrival >> 32);
            if (buffer >= 0)
                _loop.Buffers!.Return((ushort)buffer);
        }
    }
}
