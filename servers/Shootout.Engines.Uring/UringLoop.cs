using System.Net.Sockets;
using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;
using Shootout.Server.Core;

namespace Shootout.Engines.Uring;

/// <summary>
/// One event-loop thread with its own ring. One turn: take every completion the CQ holds, resuming the
/// fiber each belongs to (which queues its next SQE and parks) → posted work, timers → one
/// io_uring_enter that submits every queued SQE and waits for the next completion. One syscall per
/// turn, however many connections moved in it.
/// </summary>
/// <remarks>
/// One type over partial files, one facet each, as the netpoller's EventLoop: this file is
/// the thread, its turn and its end; <c>UringLoop.Setup.cs</c> the ring's creation;
/// <c>UringLoop.Submissions.cs</c> the SQEs and their user_data; <c>UringLoop.Connections.cs</c> the
/// connection table; <c>UringLoop.Accepting.cs</c> multishot accept; <c>UringLoop.Posting.cs</c> work
/// from other threads; <c>UringLoop.SendConfirmations.cs</c> the sends that post no CQE on success;
/// <c>UringLoop.Timers.cs</c> the accept back-off and the idle scan.
/// </remarks>
internal sealed unsafe partial class UringLoop : LoopThread
{
    private const int StopDrainMs = 1500;

    private readonly UringEngineSettings _settings;
    private readonly EchoHandler _handler;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _epochTicks = Environment.TickCount64;
    private Ring? _ring;
    private volatile bool _stopping;

    public UringLoop(int id, Socket listener, UringEngineSettings settings, EchoHandler handler)
        : base($"uring-{id}", "ring operations must run on their connection's loop thread (inside a fiber)")
    {
        Id = id;
        _listenFd = (int)listener.SafeHandle.DangerousGetHandle();
        _settings = settings;
        _handler = handler;
        _idleTimeoutMs = settings.IdleTimeout is { } t ? (int)Math.Max(1, t.TotalMilliseconds) : 0;
    }

    public int Id { get; }

    /// <summary>Admission, accept errors, counting: the engine's rules, applied on this loop.</summary>
    public FiberConnectionRules Rules => _handler.Rules;

    /// <summary>The provided-buffer ring receives pick from; null with that feature off.</summary>
    public BufferRing? Buffers { get; private set; }

    /// <summary>Connections keep one multishot receive armed (needs the provided buffers) instead of one receive per message.</summary>
    public bool MultishotReceives { get; private set; }

    /// <summary>The echo's sends skip their CQE on success (<see cref="RingFeatures.SkipSendCompletions"/>); the loop confirms them.</summary>
    public bool SkipsSendCompletions { get; private set; }

    /// <summary>Bytes of a connection's own receive buffer (the provided buffers ran out, or that feature is off).</summary>
    public int OwnBufferSize => _settings.BufferSize;

    /// <summary>Loop clock in milliseconds, read once per turn.</summary>
    public int NowMs { get; private set; }

    /// <summary>What the ring ended up with (flags the kernel accepted), for the start-up log line.</summary>
    public string Description { get; private set; } = "";

    /// <summary>io_uring_enter calls so far (the loop's only syscall on the echo path).</summary>
    public long Enters => _ring?.Enters ?? 0;

    public Task Exited => _exited.Task;

    /// <summary>
    /// Starts the thread, which creates the ring (SINGLE_ISSUER: the creating thread is the submitter).
    /// Fails with the ring's setup error.
    /// </summary>
    public Task StartAsync()
    {
        StartThread();
        return _started.Task;
    }

    /// <summary>Aborts every connection's pending operation (fibers unwind and close), drains the ring and ends the thread.</summary>
    public void RequestStop() => Post(() => _stopping = true);

    protected override bool IsStopRequested => _stopping;

    protected override void Run()
    {
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
            TurnUntilStopped();
        }
        finally
        {
            _ring?.Dispose();
            if (_wakeFd >= 0)
                Libc.Close(_wakeFd);
            _exited.TrySetResult();
        }
    }

    protected override void Turn()
    {
        int timeout = NextTimeout();
        Buffers?.Refill();
        uint minComplete = _ring!.HasCompletion || timeout == 0 ? 0u : 1u;
        if (HasSendsToConfirm)
            (minComplete, timeout) = WaitBesideSendsToConfirm(minComplete, timeout);
        _ring.Enter(minComplete, timeout);
        NowMs = (int)(Environment.TickCount64 - _epochTicks);
        // Read together, before anything below can enter the ring again: the completions of every SQE issued so far are these.
        uint ready = _ring.CompletionCount;
        uint issuedUpTo = _ring.IssuedUpTo;
        if (HoldsFailedUnconfirmedSend(ready))
        {
            Complete(ready); // a send that failed is carried on by its CQE first; the rest of the issued ones succeeded
            ConfirmSends(issuedUpTo);
        }
        else
        {
            ConfirmSends(issuedUpTo); // first: a fiber whose echo went out waits for its next arrival before it comes
            Complete(ready);
        }
        RunTimers();
    }

    /// <summary>
    /// Serves the <paramref name="ready"/> completions the CQ held when the turn began, and no more. Handling them may
    /// enter the ring (a full SQ is submitted to make room), which posts further completions; those wait for the next turn.
    /// Otherwise a turn could never end: connections waiting for a buffer each re-arm a wait that completes
    /// at once, and the buffers their peers gave back are only published again between turns.
    /// </summary>
    private void Complete(uint ready)
    {
        for (; ready > 0 && _ring!.TryTakeCompletion(out Cqe cqe); ready--)
        {
            try
            {
                Dispatch(cqe);
            }
            catch (Exception e)
            {
                ReportError(e);
            }
        }
    }

    private void Dispatch(in Cqe cqe)
    {
        ulong kind = cqe.UserData >> KindShift;
        switch (kind)
        {
            case KindReceive or KindMultishotReceive or KindSend or KindUnconfirmedSend or KindPoll:
                DispatchToConnection(kind, cqe);
                break;
            case KindAccept:
                OnAcceptCompleted(cqe.Res, cqe.Flags);
                break;
            case KindWake:
                OnWoken();
                break;
        }
    }

    /// <summary>The loop is ending: connections closed now leave their requests to the ring's own close.</summary>
    internal bool IsStopping => _stopping;

    /// <summary>
    /// Ends the loop: the accept is cancelled, every pending operation is aborted (the fibers unwind and close
    /// their connections), the ring is turned until the accept's cancellation completed or
    /// <see cref="StopDrainMs"/> passed, and every connection still open is closed directly. Closing the ring
    /// afterwards (<see cref="Run"/>) cancels whatever requests remain, all at once.
    /// </summary>
    protected override void Shutdown()
    {
        _acceptWanted = false;
        if (_accepting)
            PrepareCancel(KindAccept << KindShift, cancelByFd: false);
        ForEachConnection(static connection => connection.Abort(-Errno.ECANCELED));
        ForEachConnection(static connection => connection.Close());
        long deadline = Environment.TickCount64 + StopDrainMs;
        while (_accepting && Environment.TickCount64 < deadline)
        {
            Buffers?.Refill();
            _ring!.Enter(_ring.HasCompletion ? 0u : 1u, (int)Math.Max(1, deadline - Environment.TickCount64));
            Complete(_ring.CompletionCount);
        }
        ForEachConnection(connection =>
        {
            _connections.Remove(connection.Slot, connection);
            Libc.Close(connection.Fd);
            _handler.Rules.OnClosed();
        });
        RunPosted();
    }

    /// <summary>To the engine's error log: a failed turn or completion, or a <see cref="Fiber"/> that ended with an exception.</summary>
    public override void ReportError(Exception e) => _settings.OnError?.Invoke(e);
}
