using System.Diagnostics;
using Shootout.Fibers.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// Time on the loop: sleeping fibers, connection deadlines, the idle timeout, and how long the next
/// epoll_wait may block.
/// </summary>
/// <remarks>
/// Sleeping fibers sit on a heap keyed by <see cref="Stopwatch"/> timestamps, and the wait sleeps to the
/// microsecond (<see cref="Poller.Wait"/>): a fiber that sleeps until a scheduled time wakes within the
/// kernel's timer slack of it (<see cref="NetpollOptions.TimerSlack"/>), not up to a millisecond late.
/// Deadlines, the idle scan and the accept back-off stay on the millisecond clock: none needs finer.
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
    private readonly long _spinNanoseconds;
    private int _nextIdleScanMs;

    /// <summary>
    /// Suspends the calling fiber for <paramref name="delay"/> (call it inside a fiber of this loop). No
    /// thread, no System.Threading timer: a pooled entry on this loop's timer heap, only while sleeping.
    /// Throws <see cref="System.Net.Sockets.SocketException"/> (OperationAborted) if the group stops first.
    /// </summary>
    public ValueTask Delay(TimeSpan delay) =>
        DelayUntil(Stopwatch.GetTimestamp() + (long)(Math.Clamp(delay.TotalSeconds, 0, int.MaxValue / 2) * Stopwatch.Frequency));

    /// <summary>
    /// Suspends the calling fiber until <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="timestamp"/>
    /// (at once if it has), to the microsecond: what a schedule of sends needs. Same rules as <see cref="Delay"/>.
    /// </summary>
    public ValueTask DelayUntil(long timestamp)
    {
        CheckThread();
        if (_stopping)
            throw Errno.ToException(Errno.ECANCELED);
        long due = timestamp;
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

    /// <summary>
    /// How long the wait may block, in nanoseconds (-1: until an event): 0 while fibers wait for their turn,
    /// else until the next timer. Within <see cref="NetpollOptions.TimerSpin"/> of a sleeper's time it is 0
    /// too: the loop polls without sleeping, so the fiber resumes on time rather than a wake-up later.
    /// </summary>
    private long NextTimeout()
    {
        if (_yielded.Count > 0)
            return 0;
        long timeoutMs = -1;
        int now = ClockMs();
        if (AcceptPaused)
            timeoutMs = Math.Max(0, _acceptPausedUntil - now);
        if (_idleTimeoutMs > 0)
            timeoutMs = Earliest(timeoutMs, _nextIdleScanMs - now);
        if (_armedDeadlines > 0)
            timeoutMs = Earliest(timeoutMs, _nextDeadlineScanMs - now);
        long timeout = timeoutMs < 0 ? -1 : Math.Min(timeoutMs, int.MaxValue) * 1_000_000;
        if (_sleepers.TryPeek(out _, out long due))
        {
            long untilDue = NanosecondsBetween(Stopwatch.GetTimestamp(), due);
            timeout = Earliest(timeout, untilDue <= _spinNanoseconds ? 0 : untilDue - _spinNanoseconds);
        }
        return timeout;
    }

    private static long NanosecondsBetween(long from, long to) =>
        (long)((to - from) * (1_000_000_000.0 / Stopwatch.Frequency));

    private static long Earliest(long timeout, long untilNext)
    {
        untilNext = Math.Max(0, untilNext);
        return timeout < 0 ? untilNext : Math.Min(timeout, untilNext);
    }

    private void RunTimers()
    {
        int now = ClockMs();
        ResumeAcceptingIfDue(now);
        long timestamp = Stopwatch.GetTimestamp();
        while (_sleepers.TryPeek(out SleepTimer? timer, out long due) && due <= timestamp)
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
                code = OperationSource.IdleTimeoutCode;
            if (code != 0)
                RunFiber((connection, code), static a => a.connection.Abort(a.code));
        }
    }
}
