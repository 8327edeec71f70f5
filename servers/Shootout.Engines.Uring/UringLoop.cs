using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Shootout.Engines.Uring.Interop;
using Shootout.Netpoll;

namespace Shootout.Engines.Uring;

/// <summary>
/// One event-loop thread with its own ring. One turn: take every completion the CQ holds, resuming the
/// fiber each belongs to (which queues its next SQE and parks) → posted work, timers → one
/// io_uring_enter that submits every queued SQE and waits for the next completion. One syscall per
/// turn, however many connections moved in it.
/// </summary>
internal sealed unsafe class UringLoop
{
    // user_data: kind << 56 | slot << 32 | generation. A generation is never reused within a loop, so a
    // completion for a connection that has gone never reaches the next one in its slot.
    private const int KindShift = 56;
    private const ulong KindReceive = 1, KindSend = 2, KindAccept = 3, KindWake = 4, KindIgnore = 5, KindPoll = 6;
    private const int StopDrainMs = 1500;

    private readonly UringEngineSettings _settings;
    private readonly EchoHandler _handler;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly long _epochTicks = Environment.TickCount64;
    private readonly int _idleTimeoutMs;
    private Ring? _ring;
    private int _wakeFd = -1;
    private ulong* _wakeValue;
    private int _wakePending;
    private int _threadId = -1;
    private volatile bool _stopping;

    // Connection table: slot → connection.
    private UringConnection?[] _slots = new UringConnection?[64];
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _slotsUsed;
    private uint _lastGeneration;

    // Accepting: one multishot accept on this loop's own SO_REUSEPORT listener.
    private readonly int _listenFd;
    private bool _accepting;      // an accept request is armed
    private bool _acceptWanted;   // accepting has not been stopped
    private long _acceptPausedUntil = -1;
    private int _nextIdleScanMs;

    public UringLoop(int id, Socket listener, UringEngineSettings settings, EchoHandler handler)
    {
        Id = id;
        _listenFd = (int)listener.SafeHandle.DangerousGetHandle();
        _settings = settings;
        _handler = handler;
        _idleTimeoutMs = settings.IdleTimeout is { } t ? (int)Math.Max(1, t.TotalMilliseconds) : 0;
        _thread = new Thread(Run) { IsBackground = true, Name = $"uring-{id}" };
    }

    public int Id { get; }

    /// <summary>The provided-buffer ring receives pick from; null with that feature off.</summary>
    public BufferRing? Buffers { get; private set; }

    /// <summary>Bytes of a connection's own receive buffer (the provided buffers ran out, or that feature is off).</summary>
    public int OwnBufferSize => _settings.BufferSize;

    /// <summary>Loop clock in milliseconds, read once per turn.</summary>
    public int NowMs { get; private set; }

    /// <summary>What the ring ended up with (flags the kernel accepted), for the start-up log line.</summary>
    public string Description { get; private set; } = "";

    /// <summary>io_uring_enter calls so far (the loop's only syscall on the echo path).</summary>
    public long Enters => _ring?.Enters ?? 0;

    public Task Exited => _exited.Task;

    /// <summary>Starts the thread, which creates the ring (SINGLE_ISSUER: the creating thread is the submitter). Fails with the ring's setup error.</summary>
    public Task StartAsync()
    {
        _thread.UnsafeStart();
        return _started.Task;
    }

    public void Post(Action action)
    {
        if (_exited.Task.IsCompleted)
            throw new InvalidOperationException("the event loop has stopped");
        _posted.Enqueue(action);
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            Libc.Write(_wakeFd, &one, sizeof(ulong));
        }
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread; completes when it has run.</summary>
    public Task InvokeAsync(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { action(); done.TrySetResult(); }
            catch (Exception e) { done.TrySetException(e); }
        });
        return done.Task;
    }

    public Task StartAcceptingAsync() => InvokeAsync(() =>
    {
        _acceptWanted = true;
        ArmAccept();
    });

    public Task StopAcceptingAsync() => InvokeAsync(() =>
    {
        _acceptWanted = false;
        _acceptPausedUntil = -1;
        if (_accepting)
            PrepareCancel(KindAccept << KindShift, cancelByFd: false);
    });

    /// <summary>Aborts every connection's pending operation (fibers unwind and close), drains the ring and ends the thread.</summary>
    public void RequestStop() => Post(() => _stopping = true);

    internal void CheckThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("ring operations must run on their connection's loop thread (inside a fiber)");
    }

    // ---- SQEs the connections queue ----

    /// <param name="buffer">null: let the kernel pick a provided buffer when data arrives.</param>
    internal void PrepareReceive(UringConnection connection, byte* buffer, int length)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpRecv;
        sqe->Fd = connection.Fd;
        sqe->UserData = Token(KindReceive, connection);
        if (buffer is null)
        {
            sqe->Flags = IoUring.SqeBufferSelect;
            sqe->BufGroup = BufferRing.GroupId;
        }
        else
        {
            sqe->Addr = (ulong)buffer;
            sqe->Len = (uint)length;
        }
    }

    internal void PrepareSend(UringConnection connection, byte* data, int length)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpSend;
        sqe->Fd = connection.Fd;
        sqe->Addr = (ulong)data;
        sqe->Len = (uint)length;
        sqe->OpFlags = Libc.MSG_NOSIGNAL;
        sqe->UserData = Token(KindSend, connection);
    }

    /// <summary>A one-shot wait for the connection's socket to become readable (or hung up), holding no buffer.</summary>
    internal void PreparePoll(UringConnection connection)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpPollAdd;
        sqe->Fd = connection.Fd;
        sqe->OpFlags = IoUring.PollIn | IoUring.PollErr | IoUring.PollHup | IoUring.PollRdHup;
        sqe->UserData = Token(KindPoll, connection);
    }

    /// <summary>Cancels every request on the connection's socket; its completion (ECANCELED, or the data it got first) then releases it.</summary>
    internal void PrepareCancel(UringConnection connection)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpAsyncCancel;
        sqe->Fd = connection.Fd;
        sqe->OpFlags = IoUring.CancelFd | IoUring.CancelAll;
        sqe->UserData = KindIgnore << KindShift;
    }

    private void PrepareCancel(ulong userData, bool cancelByFd)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpAsyncCancel;
        sqe->Addr = userData;
        sqe->Fd = cancelByFd ? _listenFd : -1;
        sqe->UserData = KindIgnore << KindShift;
    }

    /// <summary>The connection is closed and nothing of it is in flight: close its socket, free its slot.</summary>
    internal void Release(UringConnection connection)
    {
        int slot = connection.Slot;
        if ((uint)slot < (uint)_slotsUsed && _slots[slot] == connection)
        {
            _slots[slot] = null;
            if (_freeCount == _freeSlots.Length)
                Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
            _freeSlots[_freeCount++] = slot;
        }
        if (_stopping)
        {
            Libc.Close(connection.Fd); // the ring may be gone before a queued close would run
        }
        else
        {
            Sqe* sqe = _ring!.NextSqe();
            sqe->Opcode = IoUring.OpClose;
            sqe->Fd = connection.Fd;
            sqe->Flags = IoUring.SqeCqeSkipSuccess;
            sqe->UserData = KindIgnore << KindShift;
        }
        _handler.OnClosed();
    }

    private static ulong Token(ulong kind, UringConnection connection) =>
        kind << KindShift | (ulong)(uint)connection.Slot << 32 | connection.Generation;

    // ---- accepting ----

    private void ArmAccept()
    {
        if (_accepting || !_acceptWanted || _stopping)
            return;
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpAccept;
        sqe->Fd = _listenFd;
        sqe->OpFlags = Libc.SOCK_CLOEXEC;
        if (_settings.Features.MultishotAccept)
            sqe->IoPrio = IoUring.AcceptMultishot;
        sqe->UserData = KindAccept << KindShift;
        _accepting = true;
    }

    private void OnAcceptCompleted(int res, uint flags)
    {
        if ((flags & IoUring.CqeMore) == 0)
            _accepting = false; // this request is over: arm another (below) unless paused or stopping
        if (res >= 0)
        {
            Adopt(res);
        }
        else if (res is not (-Errno.ECANCELED or -Errno.EINTR or -Errno.ECONNABORTED or -Errno.EPROTO or -Errno.EPERM or -Errno.EAGAIN))
        {
            TimeSpan pause = _handler.OnAcceptError(-res);
            if (pause > TimeSpan.Zero)
            {
                if (_accepting)
                    PrepareCancel(KindAccept << KindShift, cancelByFd: false);
                _acceptPausedUntil = NowMs + (long)pause.TotalMilliseconds;
                return;
            }
        }
        if (!_accepting && _acceptPausedUntil < 0)
            ArmAccept();
    }

    private void Adopt(int fd)
    {
        if (_stopping || !_handler.OnAccepted())
        {
            Libc.Close(fd);
            return;
        }
        int one = 1;
        Libc.SetSockOpt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
        var connection = new UringConnection(this, fd);
        Register(connection);
        _handler.OnConnection(connection);
    }

    private void Register(UringConnection connection)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _freeSlots[--_freeCount];
        }
        else
        {
            if (_slotsUsed == _slots.Length)
                Array.Resize(ref _slots, _slots.Length * 2);
            slot = _slotsUsed++;
        }
        uint generation = ++_lastGeneration;
        if (generation == 0)
            generation = ++_lastGeneration;
        connection.Slot = slot;
        connection.Generation = generation;
        connection.LastActiveMs = NowMs;
        _slots[slot] = connection;
    }

    // ---- the loop ----

    private void Run()
    {
        _threadId = Environment.CurrentManagedThreadId;
        FiberErrors.Handler = Report;
        try
        {
            Setup();
        }
        catch (Exception e)
        {
            _started.TrySetException(e);
            _exited.TrySetResult();
            return;
        }
        _started.TrySetResult();
        try
        {
            while (!_stopping)
                Turn();
            Shutdown();
        }
        catch (Exception e)
        {
            Report(e);
            try { Shutdown(); } catch (Exception inner) { Report(inner); }
        }
        finally
        {
            _ring?.Dispose();
            if (_wakeFd >= 0)
                Libc.Close(_wakeFd);
            FiberErrors.Handler = null;
            _exited.TrySetResult();
        }
    }

    private void Setup()
    {
        RingFeatures features = _settings.Features;
        uint flags = IoUring.SetupSubmitAll;
        if (features.DeferTaskrun)
            flags |= IoUring.SetupSingleIssuer | IoUring.SetupDeferTaskrun;
        _ring = Ring.Create(_settings.RingEntries, _settings.RingEntries * 4, flags);
        var parts = new List<string> { $"{_settings.RingEntries} SQEs" };
        if (features.DeferTaskrun)
            parts.Add("single-issuer+defer-taskrun");
        if (features.RegisteredRingFd)
            parts.Add(_ring.RegisterRingFd() ? "registered ring fd" : "ring fd not registered (kernel < 5.18)");
        if (features.ProvidedBuffers)
        {
            Buffers = BufferRing.TryRegister(_ring, _settings.BufferCount, _settings.BufferSize, out int errno);
            parts.Add(Buffers is null ? $"no provided buffers (errno {errno}): a buffer per connection" : $"{_settings.BufferCount}x{_settings.BufferSize / 1024} KiB provided buffers");
        }
        if (features.MultishotAccept)
            parts.Add("multishot accept");
        Description = string.Join(", ", parts);

        _wakeFd = Libc.EventFd(0, Libc.EFD_CLOEXEC);
        if (_wakeFd < 0)
            throw new InvalidOperationException($"eventfd failed: errno {Libc.Errno}");
        _wakeValue = (ulong*)NativeMemory.Alloc(sizeof(ulong)); // freed with the process: a read may still be in flight
        ArmWake();
    }

    private void ArmWake()
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpRead;
        sqe->Fd = _wakeFd;
        sqe->Addr = (ulong)_wakeValue;
        sqe->Len = sizeof(ulong);
        sqe->UserData = KindWake << KindShift;
    }

    private void Turn()
    {
        int timeout = NextTimeout();
        Buffers?.Refill();
        _ring!.Enter(_ring.HasCompletion || timeout == 0 ? 0u : 1u, timeout);
        NowMs = (int)(Environment.TickCount64 - _epochTicks);
        Complete();
        RunTimers();
    }

    /// <summary>Serves every completion the CQ holds now.</summary>
    private void Complete()
    {
        while (_ring!.TryTakeCompletion(out Cqe cqe))
        {
            try
            {
                Dispatch(cqe);
            }
            catch (Exception e)
            {
                Report(e);
            }
        }
    }

    private void Dispatch(in Cqe cqe)
    {
        ulong kind = cqe.UserData >> KindShift;
        switch (kind)
        {
            case KindReceive or KindSend or KindPoll:
            {
                uint slot = (uint)(cqe.UserData >> 32) & 0xFF_FFFF;
                if (slot < (uint)_slotsUsed && _slots[slot] is { } connection && connection.Generation == (uint)cqe.UserData)
                {
                    if (kind == KindReceive)
                        connection.OnReceiveCompleted(cqe.Res, cqe.Flags);
                    else if (kind == KindSend)
                        connection.OnSendCompleted(cqe.Res);
                    else
                        connection.OnPollCompleted(cqe.Res);
                }
                else if ((cqe.Flags & IoUring.CqeBuffer) != 0)
                {
                    Buffers!.OnLent(); // for a connection already gone: straight back
                    Buffers.Return((ushort)(cqe.Flags >> IoUring.CqeBufferShift));
                }
                break;
            }
            case KindAccept:
                OnAcceptCompleted(cqe.Res, cqe.Flags);
                break;
            case KindWake:
                Volatile.Write(ref _wakePending, 0); // before draining, so a post that races this is not missed
                if (!_stopping)
                    ArmWake();
                RunPosted();
                break;
        }
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out Action? action))
        {
            try { action(); }
            catch (Exception e) { Report(e); }
        }
    }

    private int NextTimeout()
    {
        long timeout = -1;
        int now = (int)(Environment.TickCount64 - _epochTicks);
        if (_acceptPausedUntil >= 0)
            timeout = Math.Max(0, _acceptPausedUntil - now);
        if (_idleTimeoutMs > 0)
        {
            long untilScan = Math.Max(0, _nextIdleScanMs - now);
            timeout = timeout < 0 ? untilScan : Math.Min(timeout, untilScan);
        }
        return (int)Math.Min(timeout, int.MaxValue);
    }

    private void RunTimers()
    {
        int now = NowMs;
        if (_acceptPausedUntil >= 0 && now >= _acceptPausedUntil)
        {
            _acceptPausedUntil = -1;
            ArmAccept();
        }
        if (_idleTimeoutMs <= 0 || now - _nextIdleScanMs < 0)
            return;
        _nextIdleScanMs = now + Math.Max(10, _idleTimeoutMs / 4);
        for (int slot = 0; slot < _slotsUsed; slot++)
        {
            if (_slots[slot] is { IsWaitingForRead: true } connection && now - connection.LastActiveMs >= _idleTimeoutMs)
            {
                try { connection.Abort(UringConnection.IdleTimeoutCode); }
                catch (Exception e) { Report(e); }
            }
        }
    }

    /// <summary>
    /// Ends the loop: every pending operation is aborted (the fibers unwind and close their connections,
    /// which cancels their requests), then the ring is turned until those cancellations have completed
    /// or <see cref="StopDrainMs"/> passed; whatever is left open is closed directly.
    /// </summary>
    private void Shutdown()
    {
        _acceptWanted = false;
        if (_accepting)
            PrepareCancel(KindAccept << KindShift, cancelByFd: false);
        for (int slot = 0; slot < _slotsUsed; slot++)
        {
            try { _slots[slot]?.Abort(-Errno.ECANCELED); }
            catch (Exception e) { Report(e); }
        }
        for (int slot = 0; slot < _slotsUsed; slot++)
        {
            try { _slots[slot]?.Close(); }
            catch (Exception e) { Report(e); }
        }
        long deadline = Environment.TickCount64 + StopDrainMs;
        while ((_accepting || _slotsUsed - _freeCount > 0) && Environment.TickCount64 < deadline)
        {
            Buffers?.Refill();
            _ring!.Enter(_ring.HasCompletion ? 0u : 1u, (int)Math.Max(1, deadline - Environment.TickCount64));
            Complete();
        }
        for (int slot = 0; slot < _slotsUsed; slot++)
        {
            if (_slots[slot] is { } connection)
            {
                _slots[slot] = null;
                Libc.Close(connection.Fd);
                _handler.OnClosed();
            }
        }
        RunPosted();
    }

    private void Report(Exception e) => _settings.OnError?.Invoke(e);
}
