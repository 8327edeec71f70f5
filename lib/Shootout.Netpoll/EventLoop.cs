using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// One event-loop thread with its epoll instance. It owns a table of connections; every fiber of
/// those connections runs on this thread. One turn: epoll_wait → resume the fibers whose sockets
/// became ready (each runs until it parks again) → resume fibers that yielded → timers.
/// </summary>
public sealed unsafe class EventLoop
{
    /// <summary>epoll data of the listening socket.</summary>
    private const ulong ListenToken = ulong.MaxValue - 1;
    private const uint ConnectionEvents = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;
    private const int AcceptBatch = 64;

    [ThreadStatic] private static EventLoop? t_current;

    private readonly EventLoopGroup _group;
    private readonly NetpollOptions _options;
    private readonly Poller _poller;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly ConcurrentQueue<int> _handedOver = new();
    private readonly Queue<NetConnection> _yielded = new();
    private readonly byte[] _sharedArray;
    private readonly long _epochTicks = Environment.TickCount64;
    private int _threadId = -1;
    private int _budget;
    private volatile bool _stopping;
    private volatile bool _exitedFlag;

    // Connection table: slot → connection. The epoll data of a registration is (slot << 32 | generation),
    // so an event still queued for a closed connection never reaches the next one in its slot or fd.
    private NetConnection?[] _slots = new NetConnection?[64];
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _slotsUsed;
    private uint _lastGeneration;

    // Listening (shared with the other loops through EPOLLEXCLUSIVE).
    private Socket? _listenSocket;
    private int _listenFd = -1;
    private IConnectionHandler? _handler;
    private bool _listenRegistered;
    private bool _listenShared;
    private long _acceptPausedUntil;

    private readonly int _idleTimeoutMs;
    private int _nextIdleScanMs;

    // Timers: sleeping fibers on a heap (each fires once, so the heap holds no stale entries), and
    // connection deadlines found by a scan (a deadline moves on every message; a heap would fill up).
    private const int DeadlineScanMs = 100;
    private readonly PriorityQueue<SleepTimer, long> _sleepers = new();
    private readonly Stack<SleepTimer> _sleepPool = new();
    private int _armedDeadlines;
    private int _nextDeadlineScanMs;

    internal EventLoop(EventLoopGroup group, int id, NetpollOptions options)
    {
        _group = group;
        _options = options;
        Id = id;
        _idleTimeoutMs = options.IdleTimeout is { } t ? (int)Math.Max(1, t.TotalMilliseconds) : 0;
        _sharedArray = GC.AllocateUninitializedArray<byte>(options.SharedBufferSize, pinned: true);
        _poller = new Poller();
        _thread = new Thread(Run) { IsBackground = true, Name = $"netpoll-{id}" };
    }

    /// <summary>The loop whose thread is running the caller, if any (inside a fiber: its own loop).</summary>
    public static EventLoop? Current => t_current;

    public int Id { get; }

    /// <summary>
    /// Loop-owned receive memory: read into it, use the bytes before the fiber next awaits anything,
    /// since every fiber of the loop shares it. Lets idle connections own no buffer at all.
    /// </summary>
    public Memory<byte> SharedBuffer => _sharedArray;

    /// <summary>Open connections on this loop (read on the loop thread for an exact figure).</summary>
    public int ConnectionCount => _slotsUsed - _freeCount;

    /// <summary>Events that arrived for a registration already closed (their generation no longer matches).</summary>
    internal long StaleEvents { get; private set; }

    /// <summary>Loop clock in milliseconds, read once per turn.</summary>
    internal int NowMs { get; private set; }

    internal Task Exited => _exited.Task;

    internal bool PrivateDescriptorTables => _options.PrivateDescriptorTables;

    /// <summary>Milliseconds since the loop was created, read now (not once per turn like <see cref="NowMs"/>).</summary>
    internal int ClockMs() => (int)(Environment.TickCount64 - _epochTicks);

    internal void Start() => _thread.UnsafeStart(); // no ExecutionContext flows into the loop

    // ---- public API for fibers and other threads ----

    /// <summary>Runs <paramref name="action"/> on the loop thread. Callable from any thread.</summary>
    public void Post(Action action)
    {
        if (_exitedFlag)
            throw new InvalidOperationException("the event loop has stopped");
        _posted.Enqueue(action);
        _poller.Wake();
    }

    /// <summary>
    /// Starts a fiber on this loop: <paramref name="fiber"/> runs on the loop thread, and so does every
    /// continuation of the netpoll operations it awaits. The returned task completes with it (its
    /// continuations do not run on the loop thread).
    /// </summary>
    public Task Spawn(Func<Task> fiber)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            Task task;
            try { task = fiber(); }
            catch (Exception e) { done.TrySetException(e); return; }
            task.ContinueWith(static (t, state) =>
            {
                var tcs = (TaskCompletionSource)state!;
                if (t.IsFaulted) tcs.TrySetException(t.Exception!.InnerExceptions);
                else if (t.IsCanceled) tcs.TrySetCanceled();
                else tcs.TrySetResult();
            }, done, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
        return done.Task;
    }

    /// <summary>
    /// Opens a non-blocking TCP connection from this loop (call it inside a fiber of this loop).
    /// Completes when connected; throws <see cref="SocketException"/> (e.g. ConnectionRefused,
    /// AddressNotAvailable when ephemeral ports run out: spread over 127.0.0.x destinations).
    /// </summary>
    /// <param name="local">Optional local address to bind first (port 0: any), e.g. to spread a client
    /// over 127.0.0.x sources.</param>
    /// <param name="timeout">Give up after this long with <see cref="SocketError.TimedOut"/> (null: the
    /// kernel's own limit, minutes). Implemented as a deadline that is cleared once connected.</param>
    public ValueTask<NetConnection> ConnectAsync(IPEndPoint remote, IPEndPoint? local = null, TimeSpan? timeout = null)
    {
        CheckThread();
        int family = remote.AddressFamily == AddressFamily.InterNetworkV6 ? Libc.AF_INET6 : Libc.AF_INET;
        int fd = Libc.Socket(family, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw Errno.ToException(Libc.Errno);
        byte* addr = stackalloc byte[SockAddr.MaxSize];
        Span<byte> span = new(addr, SockAddr.MaxSize);
        int errno = 0;
        SetNoDelay(fd);
        if (local is not null)
        {
            // A source address without a port: let connect() pick the port per destination (not bind() per
            // address alone), so each source address offers a full port range towards every destination.
            if (local.Port == 0)
                SetBindAddressNoPort(fd);
            int localLen = SockAddr.Write(local, span);
            if (Libc.Bind(fd, addr, (uint)localLen) != 0)
                errno = Libc.Errno;
        }
        bool connected = false;
        if (errno == 0)
        {
            int len = SockAddr.Write(remote, span);
            if (Libc.Connect(fd, addr, (uint)len) == 0)
                connected = true;
            else if ((errno = Libc.Errno) == Errno.EINPROGRESS)
                errno = 0;
        }
        if (errno != 0)
        {
            Libc.Close(fd);
            throw Errno.ToException(errno);
        }
        var connection = new NetConnection(this, fd, writable: connected);
        int rc = Register(connection);
        if (rc != 0)
        {
            Libc.Close(fd);
            throw Errno.ToException(rc);
        }
        if (connected)
            return new ValueTask<NetConnection>(connection);
        if (timeout is not null)
            connection.SetDeadline(timeout);
        return connection.BeginConnect();
    }

    /// <summary>
    /// Suspends the calling fiber for <paramref name="delay"/> (call it inside a fiber of this loop). No
    /// thread, no System.Threading timer: a pooled entry on this loop's timer heap, only while sleeping.
    /// Throws <see cref="SocketException"/> (OperationAborted) if the group stops first.
    /// </summary>
    public ValueTask Delay(TimeSpan delay)
    {
        CheckThread();
        if (_stopping)
            throw Errno.ToException(Errno.ECANCELED);
        long due = ClockMs() + (long)Math.Clamp(delay.TotalMilliseconds, 0, int.MaxValue / 2);
        SleepTimer timer = _sleepPool.Count > 0 ? _sleepPool.Pop() : new SleepTimer(this);
        _sleepers.Enqueue(timer, due);
        return timer.Start();
    }

    internal void ReturnSleepTimer(SleepTimer timer)
    {
        if (_sleepPool.Count < 1024)
            _sleepPool.Push(timer);
    }

    internal void DeadlineArmed() => _armedDeadlines++;

    internal void DeadlineDisarmed() => _armedDeadlines--;

    // ---- used by connections ----

    internal void CheckThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
            ThrowWrongThread();
    }

    private static void ThrowWrongThread() =>
        throw new InvalidOperationException("netpoll operations must run on their connection's loop thread (inside a fiber)");

    /// <summary>Counts an operation that completed without parking; false: the fiber has used its turn.</summary>
    internal bool TakeBudget() => --_budget > 0;

    /// <summary>The connection has a ready operation but its fiber used its turn: retry it after this turn's events.</summary>
    internal void Yield(NetConnection connection) => _yielded.Enqueue(connection);

    internal bool IsSharedBuffer(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment) && segment.Array == _sharedArray;

    internal int Register(NetConnection connection)
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
        int rc = _poller.Add(connection.Fd, ConnectionEvents, (ulong)(uint)slot << 32 | generation);
        if (rc != 0)
            Unregister(connection);
        return rc;
    }

    internal void Unregister(NetConnection connection)
    {
        int slot = connection.Slot;
        if ((uint)slot >= (uint)_slotsUsed || _slots[slot] != connection)
            return;
        _slots[slot] = null;
        if (_freeCount == _freeSlots.Length)
            Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
        _freeSlots[_freeCount++] = slot;
    }

    // ---- listening ----

    /// <param name="shared">Other loops accept from the same socket: wake one loop per readiness and
    /// spread the connections round-robin. Otherwise this loop owns the socket (one SO_REUSEPORT
    /// socket per loop: the kernel spreads connections) and keeps what it accepts.</param>
    internal void StartListening(Socket listenSocket, IConnectionHandler handler, bool shared)
    {
        _listenShared = shared;
        _listenSocket = listenSocket;
        _listenFd = (int)listenSocket.SafeHandle.DangerousGetHandle();
        _handler = handler;
        RegisterListener();
    }

    private void RegisterListener()
    {
        // Level-triggered, so a loop that stops after a batch is told again; exclusive when shared, so
        // one waiting loop is woken per new connection rather than all of them.
        int rc = _poller.Add(_listenFd, _listenShared ? Libc.EPOLLIN | Libc.EPOLLEXCLUSIVE : Libc.EPOLLIN, ListenToken);
        if (rc != 0)
            throw Errno.ToException(rc);
        _listenRegistered = true;
    }

    internal void StopListening()
    {
        if (_listenRegistered)
            _poller.Delete(_listenFd);
        _listenRegistered = false;
        _listenFd = -1;
    }

    private void Accept()
    {
        for (int i = 0; i < AcceptBatch && _listenRegistered; i++)
        {
            int fd = Libc.Accept4(_listenFd, null, null, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Libc.Errno;
                if (errno == Errno.EAGAIN)
                    return;
                if (errno is Errno.EINTR or Errno.ECONNABORTED or Errno.EPROTO or 1 /* EPERM: firewall */)
                    continue;
                TimeSpan pause = _handler!.OnAcceptError(errno);
                if (pause > TimeSpan.Zero)
                {
                    // Level-triggered readiness would report the backlog again at once: leave the
                    // epoll set until the pause is over (EPOLLEXCLUSIVE cannot be modified, only removed).
                    _poller.Delete(_listenFd);
                    _listenRegistered = false;
                    _acceptPausedUntil = NowMs + (long)pause.TotalMilliseconds;
                }
                return;
            }
            if (!_handler!.OnAccepted())
            {
                Libc.Close(fd);
                continue;
            }
            SetNoDelay(fd);
            EventLoop owner = _listenShared ? _group.NextLoop() : this;
            if (owner == this)
                Adopt(fd);
            else
                owner.HandOver(fd);
        }
    }

    private void HandOver(int fd)
    {
        _handedOver.Enqueue(fd);
        _poller.Wake();
    }

    private void Adopt(int fd)
    {
        var connection = new NetConnection(this, fd, writable: true);
        if (Register(connection) != 0)
            connection.MarkFailed();
        _budget = _options.FiberBudget;
        _handler!.OnConnection(connection);
    }

    private static void SetNoDelay(int fd)
    {
        int one = 1;
        Libc.SetSockOpt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
    }

    private static void SetBindAddressNoPort(int fd)
    {
        int one = 1;
        Libc.SetSockOpt(fd, Libc.IPPROTO_IP, Libc.IP_BIND_ADDRESS_NO_PORT, &one, sizeof(int));
    }

    // ---- the loop ----

    internal void RequestStop() => Post(() => _stopping = true);

    private void Run()
    {
        _threadId = Environment.CurrentManagedThreadId;
        t_current = this;
        try
        {
            // Not fatal: with the shared table, connections past the open-file limit fail with EMFILE.
            if (_options.PrivateDescriptorTables && Libc.Unshare(Libc.CLONE_FILES) != 0)
                Report(new InvalidOperationException($"netpoll-{Id}: unshare(CLONE_FILES) failed (errno {Libc.Errno}); sharing the process's descriptor table"));
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
            _exitedFlag = true;
            t_current = null;
            _exited.TrySetResult();
        }
    }

    private void Turn()
    {
        int n = _poller.Wait(NextTimeout());
        NowMs = (int)(Environment.TickCount64 - _epochTicks);
        for (int i = 0; i < n; i++)
        {
            byte* ev = _poller.EventAt(i);
            ulong token = EpollEvent.Data(ev);
            try
            {
                if (token == Poller.WakeToken)
                    RunPosted();
                else if (token == ListenToken)
                    Accept();
                else
                    Dispatch(token, EpollEvent.Events(ev));
            }
            catch (Exception e)
            {
                Report(e);
            }
        }
        RunYielded();
        RunTimers();
    }

    private void Dispatch(ulong token, uint events)
    {
        uint slot = (uint)(token >> 32);
        if (slot < (uint)_slotsUsed && _slots[slot] is { } connection && connection.Generation == (uint)token)
        {
            _budget = _options.FiberBudget;
            connection.OnEvents(events);
        }
        else
        {
            StaleEvents++;
        }
    }

    /// <summary>Test hook: dispatches an event as if epoll had returned it.</summary>
    internal void DispatchForTest(ulong token, uint events) => Dispatch(token, events);

    private void RunPosted()
    {
        _poller.DrainWake();
        while (_handedOver.TryDequeue(out int fd))
        {
            try { Adopt(fd); }
            catch (Exception e) { Report(e); }
        }
        while (_posted.TryDequeue(out Action? action))
        {
            _budget = _options.FiberBudget;
            try { action(); }
            catch (Exception e) { Report(e); }
        }
    }

    private void RunYielded()
    {
        for (int count = _yielded.Count; count > 0; count--)
        {
            NetConnection connection = _yielded.Dequeue();
            _budget = _options.FiberBudget;
            try { connection.Retry(); }
            catch (Exception e) { Report(e); }
        }
    }

    private int NextTimeout()
    {
        if (_yielded.Count > 0)
            return 0;
        long timeout = -1;
        int now = ClockMs();
        if (_listenFd >= 0 && !_listenRegistered)
            timeout = Math.Max(0, _acceptPausedUntil - now);
        if (_idleTimeoutMs > 0)
            timeout = Earliest(timeout, _nextIdleScanMs - now);
        if (_armedDeadlines > 0)
            timeout = Earliest(timeout, _nextDeadlineScanMs - now);
        if (_sleepers.TryPeek(out _, out long due))
            timeout = Earliest(timeout, due - now);
        return (int)Math.Min(timeout, int.MaxValue);
    }

    private static long Earliest(long timeout, long untilNext)
    {
        untilNext = Math.Max(0, untilNext);
        return timeout < 0 ? untilNext : Math.Min(timeout, untilNext);
    }

    private void RunTimers()
    {
        int now = ClockMs();
        if (_listenFd >= 0 && !_listenRegistered && now >= _acceptPausedUntil)
            RegisterListener();
        while (_sleepers.TryPeek(out SleepTimer? timer, out long due) && due <= now)
        {
            _sleepers.Dequeue();
            _budget = _options.FiberBudget;
            try { timer.Fire(0); }
            catch (Exception e) { Report(e); }
        }
        bool idleScan = _idleTimeoutMs > 0 && now - _nextIdleScanMs >= 0;
        bool deadlineScan = _armedDeadlines > 0 && now - _nextDeadlineScanMs >= 0;
        if (!idleScan && !deadlineScan)
            return;
        if (idleScan)
            _nextIdleScanMs = now + Math.Max(10, _idleTimeoutMs / 4);
        if (deadlineScan)
            _nextDeadlineScanMs = now + DeadlineScanMs;
        for (int slot = 0; slot < _slotsUsed; slot++)
        {
            if (_slots[slot] is not { } connection)
                continue;
            int code = 0;
            if (deadlineScan && connection.DeadlineMs != 0 && now - connection.DeadlineMs >= 0 && connection.HasPendingOperation)
                code = -Errno.ETIMEDOUT;
            else if (idleScan && connection.IsWaitingForRead && now - connection.LastActiveMs >= _idleTimeoutMs)
                code = NetConnection.IdleTimeoutCode;
            if (code == 0)
                continue;
            _budget = _options.FiberBudget;
            try { connection.Abort(code); }
            catch (Exception e) { Report(e); }
        }
    }

    /// <summary>
    /// Ends the loop: serves connections still being handed over, then aborts every pending
    /// operation (fibers resume with <see cref="SocketError.OperationAborted"/> and close their
    /// connections) and closes whatever a fiber left open.
    /// </summary>
    private void Shutdown()
    {
        StopListening();
        RunPosted();
        for (int pass = 0; pass < 2; pass++)
        {
            for (int slot = 0; slot < _slotsUsed; slot++)
            {
                if (_slots[slot] is not { } connection)
                    continue;
                _budget = _options.FiberBudget;
                try
                {
                    if (pass == 0)
                        connection.Abort(-Errno.ECANCELED);
                    else
                        connection.Close();
                }
                catch (Exception e)
                {
                    Report(e);
                }
            }
        }
        _yielded.Clear();
        // Sleeping fibers resume with an abort too, so they unwind (and close what they hold).
        while (_sleepers.TryDequeue(out SleepTimer? timer, out _))
        {
            _budget = _options.FiberBudget;
            try { timer.Fire(-Errno.ECANCELED); }
            catch (Exception e) { Report(e); }
        }
        for (int slot = 0; slot < _slotsUsed; slot++)
            _slots[slot]?.Close(); // whatever those fibers opened meanwhile
        _exitedFlag = true;
        // Actions posted during the shutdown cannot run any more; drop them (their fds are closed above).
        while (_handedOver.TryDequeue(out int fd))
            Libc.Close(fd);
        // With a private descriptor table the epoll and eventfd descriptors also live on in the shared
        // table (copied at unshare): the group closes them from an ordinary thread once this one exits.
        if (!_options.PrivateDescriptorTables)
            _poller.Dispose();
    }

    /// <summary>After the loop exited: closes its poller from the calling thread's (shared) descriptor table.</summary>
    internal void ReleasePoller()
    {
        if (_options.PrivateDescriptorTables)
            _poller.Dispose();
    }

    private void Report(Exception e) => _options.OnError?.Invoke(e);

    /// <summary>An exception escaped a <see cref="Fiber"/>: that fiber has ended; the loop goes on.</summary>
    internal void ReportFiberError(Exception e) => Report(e);
}
