namespace Shootout.Engines.Uring;

/// <summary>The loop's timers: the accept back-off and the idle-timeout scan, and the enter timeout they set.</summary>
internal sealed partial class UringLoop
{
    private readonly int _idleTimeoutMs;
    private int _nextIdleScanMs;

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
        ForEachConnection(connection =>
        {
            if (connection.IsWaitingForRead && now - connection.LastActiveMs >= _idleTimeoutMs)
                connection.Abort(OperationSource.IdleTimeoutCode);
        });
    }
}
