using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>What the connection does with each of its CQEs: complete the fiber's operation, or carry it on (a short send, no buffer).</summary>
internal sealed unsafe partial class UringConnection
{
    /// <summary>The loop received this connection's CQE for a receive.</summary>
    internal void OnReceiveCompleted(int res, uint flags)
    {
        _state &= ~State.ReceiveInFlight;
        bool gotBuffer = (flags & IoUring.CqeBuffer) != 0;
        if (gotBuffer)
        {
            _loop.Buffers!.OnLent();
            _held = (ushort)(flags >> IoUring.CqeBufferShift);
        }
        else if (res > 0)
        {
            _held = OwnBuffer;
        }
        if (IsClosed || _op != Op.Receive || IsCompleted)
        {
            // Completed after the fiber gave up on it (aborted, closed): nothing wants these bytes.
            ReleaseBuffer();
            if (IsClosed && !InFlight)
                Release();
            return;
        }
        if (res == -Errno.ENOBUFS)
        {
            ReceiveWhenBuffersAreBack();
            return;
        }
        if (res > 0)
        {
            _received = res;
            LastActiveMs = _loop.NowMs;
        }
        Complete(res);
    }

    /// <summary>The readiness wait after an ENOBUFS completed: receive again, with a buffer from the ring.</summary>
    internal void OnPollCompleted(int res)
    {
        _state &= ~State.ReceiveInFlight;
        if (IsClosed || _op != Op.Receive || IsCompleted)
        {
            if (IsClosed && !InFlight)
                Release();
            return;
        }
        if (res < 0)
        {
            Complete(res);
            return;
        }
        _loop.PrepareReceive(this, null, 0, dataLikely: true);
        _state |= State.ReceiveInFlight;
    }

    /// <summary>
    /// The loop received this connection's CQE for a send. For a send that skips its CQE on success this CQE means it
    /// did not take every byte: EAGAIN (no room, nothing sent) or the count it did send.
    /// </summary>
    internal void OnSendCompleted(int res)
    {
        bool unconfirmed = (_state & State.SendUnconfirmed) != 0;
        _state &= ~(State.SendInFlight | State.SendUnconfirmed);
        if (IsClosed || _op != Op.Send || IsCompleted)
        {
            ReleaseBuffer();
            if (IsClosed && !InFlight)
                Release();
            return;
        }
        if (unconfirmed && res == -Errno.EAGAIN)
            res = 0; // the socket had no room: the bytes go as an ordinary send, which waits for room
        if (res >= 0 && _sent + res < _received)
        {
            _sent += res; // a short send: the socket buffer filled; send the rest
            _loop.PrepareSend(this, HeldAddress() + _sent, _received - _sent);
            _state |= State.SendInFlight;
            return;
        }
        int echoed = _received; // the send completes with the bytes it sent: all that was received
        ReleaseBuffer();
        Complete(res >= 0 ? echoed : res);
    }

    /// <summary>
    /// The loop confirmed the unconfirmed send in flight: its SQE was issued and posted no CQE, so it took every byte.
    /// Nothing to do when a CQE came instead (it carried the send on as an ordinary one, already handled).
    /// </summary>
    internal void OnSendConfirmed()
    {
        if ((_state & State.SendUnconfirmed) != 0)
            OnSendCompleted(_received - _sent);
    }

    /// <summary>
    /// Whether the connection has more to do right after its send completes than to wait for its armed receive:
    /// arrivals or an end of stream waiting behind the send, a receive not armed, or closed.
    /// </summary>
    internal bool HasWorkAfterSend =>
        IsClosed || (_state & (State.Multishot | State.Pausing)) != State.Multishot || _arrivals is { Count: > 0 };

    /// <summary>
    /// A receive found no buffer published (ENOBUFS) while the fiber waits for data: wait for the ring,
    /// or, when every buffer is lent out, receive into one of the connection's own.
    /// </summary>
    private void ReceiveWhenBuffersAreBack()
    {
        BufferRing buffers = _loop.Buffers!;
        if (buffers.Lent < buffers.Count)
        {
            // This turn's receives took every published buffer; more go out before the next enter.
            // Wait for readiness without a buffer, then receive again.
            buffers.OnExhausted();
            _loop.PreparePoll(this);
        }
        else
        {
            // Every buffer is lent out (to sends clients are not reading): receive into a buffer of
            // this connection's own, freed when its echo completes, rather than wait for the ring.
            _loop.PrepareReceive(this, OwnBufferAddress(), _loop.OwnBufferSize, dataLikely: true);
        }
        _state |= State.ReceiveInFlight;
    }
}
