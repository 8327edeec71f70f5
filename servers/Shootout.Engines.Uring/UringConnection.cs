using Shootout.Fibers.Interop;
using Shootout.Server.Core;

namespace Shootout.Engines.Uring;

/// <summary>
/// An accepted socket served by one fiber on one <see cref="UringLoop"/>. Every operation is an SQE:
/// the fiber queues it and parks, and the loop resumes the fiber inline when its CQE arrives (the
/// user_data names the connection's slot and generation). Nothing completes synchronously, so each
/// fiber runs one step per completion: completions are served in the order the kernel posts them.
/// </summary>
/// <remarks>
/// One operation at a time (a fiber is sequential): <see cref="ReceiveAsync"/>, then
/// <see cref="SendReceivedAsync"/> of what it received, and so on. The connection is itself the
/// source behind the <see cref="NetOperation"/>s it returns, so steady-state echo allocates nothing.
/// With multishot receive one receive request stays armed under the whole exchange, so a receive and a
/// send can be in flight at once; what arrives while the send is pending waits in
/// <c>UringConnection.Multishot.cs</c>'s queue.
/// </remarks>
internal sealed unsafe partial class UringConnection : OperationSource
{
    private const int NoBuffer = -1;
    private const int OwnBuffer = -2; // the provided buffers ran out: this connection received into _ownBuffer

    private readonly UringLoop _loop;
    private byte* _ownBuffer;
    internal readonly int Fd;
    internal int Slot;
    internal uint Generation;
    internal int LastActiveMs;
    private int _held = NoBuffer;   // provided buffer id holding received bytes, or NoBuffer / OwnBuffer
    private int _received;          // bytes in the held buffer
    private int _sent;              // of those, sent so far
    private Op _op;
    private State _state;

    private enum Op : byte { None, Receive, Send }

    [Flags]
    private enum State : byte
    {
        None = 0,
        ReceiveInFlight = 1,  // a receive (or its readiness poll) has not posted its last CQE yet
        SendInFlight = 2,     // a send has not completed yet
        Closed = 4,           // the fiber closed it; the slot is freed once nothing is in flight
        Multishot = 8,        // the receive in flight is the multishot one: it stays armed across completions
        Pausing = 16,         // a cancel of that multishot receive is on its way (arrivals piled up behind a send)
        SendUnconfirmed = 32, // the send in flight posts no CQE if it took every byte: the loop confirms it
    }

    internal UringConnection(UringLoop loop, int fd)
    {
        _loop = loop;
        Fd = fd;
    }

    public bool IsClosed => (_state & State.Closed) != 0;

    /// <summary>Admission and counting: its loop's (a fiber reaches them here instead of holding them itself).</summary>
    internal FiberConnectionRules Rules => _loop.Rules;

    internal bool IsWaitingForRead => _op == Op.Receive && !IsCompleted;

    internal bool InFlight => (_state & (State.ReceiveInFlight | State.SendInFlight)) != 0;

    /// <summary>
    /// Receives into a buffer the kernel picks from the loop's ring when data arrives; completes with
    /// the byte count (0: the peer sent FIN), the bytes in <see cref="Received"/> until the next operation.
    /// Throws <see cref="System.Net.Sockets.SocketException"/> on a reset, <see cref="TimeoutException"/>
    /// when the idle timeout closed it, <see cref="ObjectDisposedException"/> once closed.
    /// </summary>
    public NetOperation ReceiveAsync()
    {
        BeginOperation();
        ReleaseBuffer();
        _op = Op.Receive;
        if (TryTakeArrival() || (_state & State.Multishot) != 0)
            return PendingOperation(); // completed already, or the armed request will complete it
        if (_loop.Buffers is null)
            _loop.PrepareReceive(this, OwnBufferAddress(), _loop.OwnBufferSize, dataLikely: false);
        else if (_loop.MultishotReceives)
            ArmMultishotReceive();
        else
            _loop.PrepareReceive(this, null, 0, dataLikely: false);
        _state |= State.ReceiveInFlight;
        return PendingOperation();
    }

    /// <summary>The bytes the last receive delivered.</summary>
    public ReadOnlySpan<byte> Received => new(HeldAddress(), _received);

    /// <summary>
    /// Sends the bytes the last receive delivered; completes with their count once the kernel took all of them (with
    /// <see cref="RingFeatures.SkipSendCompletions"/>, when the loop confirmed that, at its next wake-up). Until
    /// then the fiber does not read: a client that does not read is not read from, and what is held for
    /// it is that one buffer (≤ 64 KiB). The buffer goes back to the ring when the send completes.
    /// </summary>
    public NetOperation SendReceivedAsync()
    {
        BeginOperation();
        if (_held == NoBuffer)
            throw new InvalidOperationException("nothing received to send");
        _op = Op.Send;
        _sent = 0;
        if (_loop.SkipsSendCompletions)
        {
            _loop.PrepareUnconfirmedSend(this, HeldAddress(), _received);
            _state |= State.SendInFlight | State.SendUnconfirmed;
        }
        else
        {
            _loop.PrepareSend(this, HeldAddress(), _received);
            _state |= State.SendInFlight;
        }
        return PendingOperation();
    }

    /// <summary>
    /// Closes (idempotent). A pending operation completes with OperationAborted. An SQE still in flight
    /// is cancelled first: while the kernel holds a request on a socket it holds the socket open, so the
    /// descriptor is closed (FIN to the peer) once that request has completed.
    /// </summary>
    public void Close()
    {
        _loop.CheckThread();
        if (IsClosed)
            return;
        if (_op != Op.None && !IsCompleted)
            Complete(-Errno.ECANCELED);
        if (IsClosed) // the resumed fiber closed it
            return;
        _state |= State.Closed;
        DropArrivals();
        if (!InFlight)
            Release();
        else if (!_loop.IsStopping)
            _loop.PrepareCancel(this);
        // Stopping with a request in flight: the loop closes the ring, which cancels every request at once, then
        // the descriptor. One cancel per connection would each search the ring's requests: 16,000 of them took
        // a loop 18 s (make faults-scale).
    }

    /// <summary>Completes a pending operation with an error (idle timeout, stop): the fiber resumes and unwinds.</summary>
    internal void Abort(int code)
    {
        if (_op != Op.None && !IsCompleted)
            Complete(code);
    }

    protected override void OnResultTaken() => _op = Op.None;

    private void BeginOperation()
    {
        _loop.CheckThread();
        // A multishot receive stays armed between operations; any other request in flight means one is pending.
        bool oneShotPending = (_state & State.SendInFlight) != 0
            || (_state & (State.ReceiveInFlight | State.Multishot)) == State.ReceiveInFlight;
        if (_op != Op.None || oneShotPending)
            throw new InvalidOperationException("another operation is pending on this connection; a fiber runs one at a time");
        if (IsClosed)
            throw new ObjectDisposedException(nameof(UringConnection));
    }
}
