using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// Time on the loop: sleeping fibers, connection deadlines, the idle timeout, and how long the next
/// epoll_wait may block.
/// </summary>
/// <remarks>
/// Sleeping fibers sit on a heap (each fires once, so the heap holds no stale entries). Connection
/// deadlines and idle times are found by a scan of the table instead: a deadline moves on every
/// message, and a heap entry per move would fill the heap up.
/// </remarks>
public sealed partial class EventLoop
{
    private const int DeadlineScanMs = 100;
    private readonly PriorityQueue<SleepTimer, long> _sleepers = new();
    private readonly Stack<SleepTimer> _sleepPool = new();
    private int _armedDeadlines;
    private int _nextDeadlineScanMs;
    private readonly int _idleTimeoutMs;
    private int _nextIdleScanMs;

    /// <summary>
    /// Suspends the calling fiber for <paramref name="delay"/> (call it inside a fiber of this loop). No
    /// thread, no System.Threading timer: a pooled entry on this loop's timer heap, only while sleeping.
    /// Throws <see cref="System.Net.Sockets.SocketException"/> (OperationAborted) if the group stops first.
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

    /// <summary>How long epoll_wait may block: 0 while fibers wait for their turn, else until the next timer.</summary>
    private int NextTimeout()
    {
        if (_yielded.Count > 0)
            return 0;
        long timeout = -1;
        int now = ClockMs();
        if (AcceptPaused)
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
        ResumeAcceptingIfDue(now);
        while (_sleepers.TryPeek(out SleepTimer? timer, out long due) && due <= now)
        {
            _sleepers.Dequeue();
            RunFiber(timer, static t => t.Fire(0));
        }
        ScanConnections(now);
    }

    /// <summary>Aborts the pending operations of connections past their deadline or idle for too long.</summary>
    private void ScanConnections(int now)
    {
        bool idleScan = _idleTimeoutMs > 0 && now - _nextIdleScanMs >= 0;
        bool deadlineScan = _armedDeadlines > 0 && now - _nextDeadlineScanMs >= 0;
        if (!idleScan && !deadlineScan)
            return;
        if (idleScan)
            _nextIdleScanMs = now + Math.Max(10, _idleTimeoutMs / 4);
        if (deadlineScan)
            _nextDeadlineScanMs = now + DeadlineScanMs;
        for (int slot = 0; slot < _connections.Used; slot++)
        {
            if (_connections[(uint)slot] is not { } connection)
                continue;
            int code = 0;
            if (deadlineScan && connection.IsPastDeadline(now))
                code = -Errno.ETIMEDOUT;
            else if (idleScan && connection.IsWaitingForRead && now - connection.LastActiveMs >= _idleTimeoutMs)
                code = NetConnection.IdleTimeoutCode;
            if (code != 0)
                RunFiber((connection, code), static a => a.connection.Abort(a.code));
        }
    }
}
