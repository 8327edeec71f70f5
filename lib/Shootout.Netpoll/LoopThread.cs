namespace Shootout.Netpoll;

/// <summary>The body every event-loop thread runs, whatever it polls with (epoll here, io_uring in its engine).</summary>
public static class LoopThread
{
    /// <summary>
    /// Turns until <paramref name="stopping"/> says so, then shuts down. An exception that escapes a turn
    /// is reported and the loop still shuts down, so its connections are closed and its waiters released.
    /// </summary>
    public static void TurnUntilStopped(Func<bool> stopping, Action turn, Action shutdown, Action<Exception> report)
    {
        try
        {
            while (!stopping())
                turn();
            shutdown();
        }
        catch (Exception e)
        {
            report(e);
            try { shutdown(); } catch (Exception inner) { report(inner); }
        }
    }
}
