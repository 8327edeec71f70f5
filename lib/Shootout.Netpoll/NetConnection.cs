using System.Buffers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Shootout.Fibers.Interop;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// A non-blocking TCP socket owned by one <see cref="EventLoop"/>, used from a fiber: straight-line
/// async code on the loop thread. An operation that would block parks the fiber (its continuation is
/// stored here) and the loop resumes it when epoll reports readiness.
/// </summary>
/// <remarks>
/// <para>The connection is itself the source behind every <see cref="NetOperation"/> (and ValueTask)
/// it returns, so steady-state I/O allocates nothing. In exchange:</para>
/// <list type="bullet">
/// <item>one operation at a time (a fiber is sequential); starting a second while one is pending throws;</item>
/// <item>await every returned operation exactly once, on the loop thread (inside a fiber);</item>
/// <item>continuations run inline on the loop thread, ignoring SynchronizationContext/TaskScheduler.</item>
/// </list>
/// <para>Memory per idle connection is this object plus the fiber's async state machine; no buffer.</para>
/// <para>One type over partial files, one facet each: this file holds the state and the operations;
/// <c>NetConnection.Syscalls.cs</c> the non-blocking syscalls; <c>NetConnection.Awaitable.cs</c> the
/// value-task sources its operations complete through. This file stays one piece (~330 lines): the state
/// flags and everything that reads and changes them (operations, close, events, retry) are one state
/// machine, and split further each half would be reasoning about the other's flags.</para>
/// </remarks>
public sealed unsafe partial class NetConnection : OperationSource
{
    private readonly EventLoop _loop;
    /// <summary>Read: where to receive. Write: the bytes not yet sent.</summary>
    private Memory<byte> _buffer;
    private readonly int _fd;
    internal int LastActiveMs;    // loop clock at the last received byte, for the idle timeout
    internal int DeadlineMs;      // loop clock after which operations fail with TimedOut; 0: none
    private Op _op;
    private State _state;

    private enum Op : byte { None, Read, Write, Connect }

    [Flags]
    private enum State : byte
    {
        None = 0,
        Readable = 1,       // the last edge said readable and no recv has drained it since
        Writable = 2,
        Closed = 4,
        RentedBuffer = 8,   // _buffer is rented from the pool (a partial write from the loop's shared buffer)
        PeerClosed = 16,    // epoll reported RDHUP/HUP/ERR: read until recv says so, a short read proves nothing
        Queued = 32,        // in the loop's run queue: its fiber yielded with this ready operation pending
    }

    internal NetConnection(EventLoop loop, int fd, bool writable)
    {
        _loop = loop;
        _fd = fd;
        // Not readable until epoll says so: EPOLL_CTL_ADD reports data that arrived before registration.
        _state = writable ? State.Writable : State.None;
    }

    /// <summary>The loop this connection belongs to; its fiber runs on that loop's thread.</summary>
    public EventLoop Loop => _loop;

    /// <summary>The socket descriptor, for diagnostics.</summary>
    public int Fd => _fd;

    public bool IsClosed => (_state & State.Closed) != 0;

    /// <summary>Registration slot in the loop's table and the generation tag of this registration.</summary>
    internal int Slot;
    internal uint Generation;

    internal bool IsWaitingForRead => _op == Op.Read && !IsCompleted;

    internal bool HasPendingOperation => _op != Op.None && !IsCompleted;

    /// <summary>A deadline is set, has passed (by the loop clock <paramref name="nowMs"/>), and an operation waits.</summary>
    internal bool IsPastDeadline(int nowMs) => DeadlineMs != 0 && nowMs - DeadlineMs >= 0 && HasPendingOperation;

    /// <summary>
    /// Go's SetDeadline: once <paramref name="fromNow"/> has passed, the pending operation completes with
    /// <see cref="SocketError.TimedOut"/>, and so does any operation started afterwards, until the deadline
    /// is moved or cleared (null). The loop checks deadlines by a scan every ~100 ms, so no timer exists
    /// per connection; precision is that of the scan.
    /// </summary>
    public void SetDeadline(TimeSpan? fromNow)
    {
        _loop.CheckThread();
        if (fromNow is not { } t)
        {
            ClearDeadline();
            return;
        }
        int due = _loop.ClockMs() + (int)Math.Clamp(t.TotalMilliseconds, 1, int.MaxValue / 2);
        if (due == 0)
            due = 1; // 0 means "no deadline"
        if (DeadlineMs == 0)
            _loop.DeadlineArmed();
        DeadlineMs = due;
    }

    private void ClearDeadline()
    {
        if (DeadlineMs == 0)
            return;
        DeadlineMs = 0;
        _loop.DeadlineDisarmed();
    }

    /// <summary>
    /// Receives into <paramref name="destination"/>; completes with the byte count, 0 at end of stream
    /// (the peer shut down its side). Throws <see cref="SocketException"/> on a reset,
    /// <see cref="TimeoutException"/> when the loop's idle timeout closed it,
    /// <see cref="ObjectDisposedException"/> once closed. The memory must stay valid until completion;
    /// <see cref="EventLoop.SharedBuffer"/> is the allocation-free choice for data consumed at once.
    /// </summary>
    public NetOperation ReadAsync(Memory<byte> destination)
    {
        BeginOperation();
        if ((_state & State.Readable) != 0 && _loop.HasTurnLeft)
        {
            int r = TryRecv(destination.Span);
            if (r >= 0)
            {
                _loop.Spend(r);
                return new NetOperation(r);
            }
            if (r != Pending)
                throw ToException(r);
        }
        _op = Op.Read;
        _buffer = destination;
        if ((_state & State.Readable) != 0)
            YieldTurn(); // out of budget: let other fibers run, retry on the next turn
        return PendingOperation();
    }

    /// <summary>
    /// Sends all of <paramref name="data"/>; completes (with its length) once the kernel has taken
    /// every byte. While it is pending the fiber does not read, so a client that does not read stops
    /// being read from. Data from <see cref="EventLoop.SharedBuffer"/> is copied to a rented buffer
    /// only if the kernel does not take it at once; other memory must stay unchanged until completion.
    /// </summary>
    public NetOperation WriteAsync(ReadOnlyMemory<byte> data)
    {
        BeginOperation();
        int sent = 0;
        if ((_state & State.Writable) != 0 && _loop.HasTurnLeft)
        {
            sent = TrySend(data.Span);
            if (sent < 0)
                throw ToException(sent);
            _loop.Spend(sent);
            if (sent == data.Length)
                return new NetOperation(sent);
        }
        ReadOnlyMemory<byte> rest = data[sent..];
        if (_loop.IsSharedBuffer(rest))
        {
            byte[] copy = ArrayPool<byte>.Shared.Rent(rest.Length);
            rest.CopyTo(copy);
            _buffer = copy.AsMemory(0, rest.Length);
            _state |= State.RentedBuffer;
        }
        else
        {
            _buffer = MemoryMarshal.AsMemory(rest);
        }
        _op = Op.Write;
        Result = data.Length;
        if ((_state & State.Writable) != 0)
            YieldTurn();
        return PendingOperation();
    }

    /// <summary>Into the loop's run queue, once: a connection already there keeps its place.</summary>
    private void YieldTurn()
    {
        if ((_state & State.Queued) != 0)
            return;
        _state |= State.Queued;
        _loop.Yield(this);
    }

    /// <summary>Half-closes: sends FIN, keeps receiving.</summary>
    public void ShutdownWrite()
    {
        _loop.CheckThread();
        if (IsClosed)
            throw new ObjectDisposedException(nameof(NetConnection));
        if (Libc.Shutdown(_fd, Libc.SHUT_WR) != 0)
            throw Errno.ToException(Libc.Errno);
    }

    /// <summary>
    /// Closes the socket (idempotent). A pending operation completes with
    /// <see cref="SocketError.OperationAborted"/>.
    /// </summary>
    public void Close()
    {
        _loop.CheckThread();
        if (IsClosed)
            return;
        if (_op != Op.None && !IsCompleted)
            Finish(-Errno.ECANCELED);
        if (IsClosed) // the resumed fiber closed it
            return;
        _state |= State.Closed;
        ClearDeadline();
        _loop.Unregister(this);
        Libc.Close(_fd);
    }

    /// <summary>
    /// Closes at once with a TCP reset instead of a FIN (SO_LINGER 0): nothing is left in TIME_WAIT on
    /// this side, which matters to a client that opens and drops many connections. Idempotent.
    /// </summary>
    public void Reset()
    {
        _loop.CheckThread();
        if (IsClosed)
            return;
        SetLingerZero(_fd);
        Close();
    }

    // Called by the loop.

    /// <summary>Starts an operation awaiting connect completion (writability).</summary>
    internal ValueTask<NetConnection> BeginConnect()
    {
        _op = Op.Connect;
        return new ValueTask<NetConnection>(this, Version);
    }

    /// <summary>Registration failed: the connection is closed before its fiber starts.</summary>
    internal void MarkFailed()
    {
        _state |= State.Closed;
        ClearDeadline();
        Libc.Close(_fd);
    }

    /// <summary>Completes a pending operation with an error (idle timeout, stop): the fiber resumes and unwinds.</summary>
    internal void Abort(int code)
    {
        if (_op != Op.None && !IsCompleted)
            Finish(code);
    }

    /// <summary>epoll reported these events for this registration.</summary>
    internal void OnEvents(uint events)
    {
        // Errors and hang-ups make both directions "ready": the next syscall reports what happened.
        if ((events & (Epoll.EPOLLIN | Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0)
            _state |= State.Readable;
        if ((events & (Epoll.EPOLLRDHUP | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0)
            _state |= State.PeerClosed;
        if ((events & (Epoll.EPOLLOUT | Epoll.EPOLLHUP | Epoll.EPOLLERR)) != 0)
            _state |= State.Writable;
        // A fiber waiting in the run queue keeps its place there: an event must not give it a second turn.
        if ((_state & State.Queued) == 0)
            Retry();
    }

    /// <summary>Its turn in the run queue has come: tries the pending operation again.</summary>
    internal void RetryQueued()
    {
        _state &= ~State.Queued;
        Retry();
    }

    /// <summary>Tries the pending operation again; resumes the fiber if it completes.</summary>
    private void Retry()
    {
        if (IsCompleted || (_state & State.Closed) != 0)
            return;
        switch (_op)
        {
            case Op.Read when (_state & State.Readable) != 0:
            {
                int r = TryRecv(_buffer.Span);
                if (r >= 0)
                    _loop.Spend(r);
                if (r != Pending)
                    Finish(r);
                break;
            }
            case Op.Write when (_state & State.Writable) != 0:
            {
                int sent = TrySend(_buffer.Span);
                if (sent < 0)
                {
                    Finish(sent);
                    break;
                }
                _loop.Spend(sent);
                if (sent == _buffer.Length)
                    Finish(Result);
                else
                    _buffer = _buffer[sent..];
                break;
            }
            case Op.Connect when (_state & State.Writable) != 0:
            {
                int error = ConnectError();
                if (error == Errno.EINPROGRESS)
                {
                    _state &= ~State.Writable; // a spurious edge; still connecting
                }
                else
                {
                    if (error == 0)
                        ClearDeadline(); // the connect timeout is spent
                    Finish(-error);
                }
                break;
            }
        }
    }
}
