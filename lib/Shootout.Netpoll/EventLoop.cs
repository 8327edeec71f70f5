using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Shootout.Fibers.Interop;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// One event-loop thread with its epoll instance. It owns a table of connections; every fiber of
/// those connections runs on this thread. One turn: epoll_wait → resume the fibers whose sockets
/// became ready (each runs until it parks again or spends its budget) → resume fibers that yielded
/// → timers.
/// </summary>
/// <remarks>
/// One type over partial files, one facet each (Kestrel's way with SocketConnection): this file is
/// the thread and its turn; <c>EventLoop.Connections.cs</c> the connection table and dispatch;
/// <c>EventLoop.RunQueue.cs</c> fiber budgets and the queue of fibers that yielded;
/// <c>EventLoop.Listening.cs</c> accepting; <c>EventLoop.Timers.cs</c> sleeps, deadlines and the idle
/// scan; <c>EventLoop.Client.cs</c> outgoing connections.
/// </remarks>
public sealed unsafe partial class EventLoop : LoopThread
{
    private readonly EventLoopGroup _group;
    private readonly NetpollOptions _options;
    private readonly Poller _poller;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<Action> _posted = new();
    private readonly byte[] _sharedArray;
    private readonly long _epochTicks = Environment.TickCount64;
    private volatile bool _stopping;
    private volatile bool _exitedFlag;

    internal EventLoop(EventLoopGroup group, int id, NetpollOptions options)
        : base($"netpoll-{id}", "netpoll operations must run on their connection's loop thread (inside a fiber)")
    {
        _group = group;
        _options = options;
        Id = id;
        _idleTimeoutMs = options.IdleTimeout is { } t ? (int)Math.Max(1, t.TotalMilliseconds) : 0;
        _spinNanoseconds = (long)(options.TimerSpin.Ticks * (1_000_000_000.0 / TimeSpan.TicksPerSecond));
        _sharedArray = GC.AllocateUninitializedArray<byte>(options.SharedBufferSize, pinned: true);
        _poller = new Poller();
    }

    /// <summary>The loop whose thread is running the caller, if any (inside a fiber: its own loop).</summary>
    public static new EventLoop? Current => LoopThread.Current as EventLoop;

    public int Id { get; }

    /// <summary>
    /// Loop-owned receive memory: read into it, use the bytes before the fiber next awaits anything,
    /// since every fiber of the loop shares it. Lets idle connections own no buffer at all.
    /// </summary>
    public Memory<byte> SharedBuffer => _sharedArray;

    /// <summary>Loop clock in milliseconds, read once per turn.</summary>
    internal int NowMs { get; private set; }

    internal Task Exited => _exited.Task;

    internal bool PrivateDescriptorTables => _options.PrivateDescriptorTables;

    /// <summary>Milliseconds since the loop was created, read now (not once per turn like <see cref="NowMs"/>).</summary>
    internal int ClockMs() => (int)(Environment.TickCount64 - _epochTicks);

    internal void Start() => StartThread();

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

    internal bool IsSharedBuffer(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetArray(memory, out ArraySegment<byte> segment) && segment.Array == _sharedArray;

    internal void RequestStop() => Post(() => _stopping = true);

    protected override bool IsStopRequested => _stopping;

    protected override void Run()
    {
        try
        {
            // Not fatal: with the shared table, connections past the open-file limit fail with EMFILE.
            if (_options.PrivateDescriptorTables && Libc.Unshare(Libc.CLONE_FILES) != 0)
                ReportError(new InvalidOperationException(
                    $"netpoll-{Id}: unshare(CLONE_FILES) failed (errno {Libc.Errno}); sharing the process's descriptor table"));
            // Not fatal either: timers then fire within the default slack (50 µs) instead.
            if (_options.TimerSlack is { } slack)
                _ = Libc.Prctl(Libc.PR_SET_TIMERSLACK, (nuint)Math.Max(1, slack.Ticks * 100), 0, 0, 0);
            // Not fatal: before Linux 6.12 the loop waits out the running thread's slice when it wakes.
            if (_options.SchedulerSlice is { } slice)
                _ = SchedSlice.TrySet(slice);
            TurnUntilStopped();
        }
        finally
        {
            _exitedFlag = true;
            _exited.TrySetResult();
        }
    }

    protected override void Turn()
    {
        int n = _poller.Wait(NextTimeout());
        NowMs = ClockMs();
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
                ReportError(e);
            }
        }
        RunYielded();
        RunTimers();
    }

    private void RunPosted()
    {
        _poller.DrainWake();
        AdoptHandedOver();
        while (_posted.TryDequeue(out Action? action))
            RunFiber(action, static action => action());
    }

    /// <summary>
    /// Ends the loop: serves connections still being handed over, then aborts every pending
    /// operation (fibers resume with <see cref="System.Net.Sockets.SocketError.OperationAborted"/>
    /// and close their connections) and closes whatever a fiber left open.
    /// </summary>
    protected override void Shutdown()
    {
        StopListening();
        RunPosted();
        ForEachConnection(connection => RunFiber(connection, static c => c.Abort(-Errno.ECANCELED)));
        ForEachConnection(connection => RunFiber(connection, static c => c.Close()));
        _yielded.Clear();
        // Sleeping fibers resume with an abort too, so they unwind (and close what they hold).
        while (_sleepers.TryDequeue(out SleepTimer? timer, out _))
            RunFiber(timer, static t => t.Fire(-Errno.ECANCELED));
        ForEachConnection(connection => connection.Close()); // whatever those fibers opened meanwhile
        _exitedFlag = true;
        // Actions posted during the shutdown cannot run any more; drop them (their fds are closed above).
        CloseHandedOver();
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

    /// <summary>To <see cref="NetpollOptions.OnError"/>: a failed turn, or a <see cref="Fiber"/> that ended with an exception.</summary>
    public override void ReportError(Exception e) => _options.OnError?.Invoke(e);
}
