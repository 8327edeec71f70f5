namespace Shootout.Fibers;

/// <summary>
/// An event-loop thread that runs fibers, whatever it polls with (epoll in the netpoller, io_uring in its
/// engine): the thread, the check that a caller is on it, and where an exception that escapes a fiber goes.
/// A poller's loop derives from it and supplies its turn, its shutdown and its error report.
/// </summary>
/// <remarks>
/// A fiber resumes inline, deep inside its loop's turn, so the one place that knows which loop runs it is the
/// thread itself: <see cref="Current"/>. <see cref="FiberMethodBuilder"/> reports through it, so a fiber's
/// escaped exception reaches its own loop's <see cref="ReportError"/> however the loop polls.
/// </remarks>
public abstract class LoopThread
{
    [ThreadStatic] private static LoopThread? t_current;

    private readonly Thread _thread;
    private readonly string _wrongThreadMessage;
    private int _threadId = -1;

    /// <param name="name">The thread's name (what tools and the load generator's CPU sampler see).</param>
    /// <param name="wrongThreadMessage">What a call from another thread is told.</param>
    protected LoopThread(string name, string wrongThreadMessage)
    {
        _wrongThreadMessage = wrongThreadMessage;
        _thread = new Thread(RunOnThread) { IsBackground = true, Name = name };
    }

    /// <summary>The loop whose thread is running the caller, if any (inside a fiber: its own loop).</summary>
    public static LoopThread? Current => t_current;

    /// <summary>The loop has been asked to stop: its next turn is its last.</summary>
    protected abstract bool IsStopRequested { get; }

    /// <summary>Reports an exception the loop cannot hand to anyone else (an escaped fiber's, a failed turn's).</summary>
    public abstract void ReportError(Exception e);

    /// <summary>Throws unless the caller runs on this loop's thread.</summary>
    public void CheckThread()
    {
        if (Environment.CurrentManagedThreadId != _threadId)
            ThrowWrongThread();
    }

    private void ThrowWrongThread() => throw new InvalidOperationException(_wrongThreadMessage);

    /// <summary>Starts the thread; no ExecutionContext flows into the loop.</summary>
    protected void StartThread() => _thread.UnsafeStart();

    /// <summary>The thread's whole life: set-up, <see cref="TurnUntilStopped"/>, clean-up.</summary>
    protected abstract void Run();

    /// <summary>One turn: poll, resume the fibers that can go on, timers.</summary>
    protected abstract void Turn();

    /// <summary>Closes what the loop still holds, releasing every waiter.</summary>
    protected abstract void Shutdown();

    /// <summary>
    /// Turns until <see cref="IsStopRequested"/>, then shuts down. An exception that escapes a turn is
    /// reported and the loop still shuts down, so its connections are closed and its waiters released.
    /// </summary>
    protected void TurnUntilStopped()
    {
        try
        {
            while (!IsStopRequested)
                Turn();
            Shutdown();
        }
        catch (Exception e)
        {
            ReportError(e);
            try { Shutdown(); } catch (Exception inner) { ReportError(inner); }
        }
    }

    private void RunOnThread()
    {
        _threadId = Environment.CurrentManagedThreadId;
        t_current = this;
        try
        {
            Run();
        }
        finally
        {
            t_current = null;
        }
    }
}
