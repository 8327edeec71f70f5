namespace Shootout.Server.Core;

/// <summary>
/// The --idle-timeout and --min-data-rate rules for one connection, the same in every engine.
/// Idle: nothing received for the timeout. Slow: during a window of <see cref="RateWindowMs"/>
/// the client sent something, but fewer bytes than the minimum rate asks for (a slow drip that
/// never goes quiet long enough to be idle). A silent window is left to the idle rule.
/// A value type with no allocation: the threads engine keeps it on the connection thread's stack.
/// </summary>
public struct TrafficWatch
{
    /// <summary>The window over which --min-data-rate is averaged.</summary>
    public const int RateWindowMs = 5000;

    private readonly long _idleMs;       // 0 = off
    private readonly long _minWindowBytes; // 0 = off
    private long _lastActivityMs;
    private long _windowStartMs;
    private long _windowBytes;

    public TrafficWatch(ServerOptions options, long nowMs)
    {
        _idleMs = options.IdleTimeout is { } idle ? Math.Max(1, (long)idle.TotalMilliseconds) : 0;
        _minWindowBytes = options.MinDataRate is { } rate ? (long)rate * RateWindowMs / 1000 : 0;
        _lastActivityMs = _windowStartMs = nowMs;
    }

    public readonly bool Enabled => _idleMs > 0 || _minWindowBytes > 0;

    public void OnReceived(int bytes, long nowMs)
    {
        _lastActivityMs = nowMs;
        _windowBytes += bytes;
    }

    /// <summary>Why the connection must close now, or null if it may go on.</summary>
    public RejectReason? Check(long nowMs)
    {
        if (_idleMs > 0 && nowMs - _lastActivityMs >= _idleMs)
            return RejectReason.IdleTimeout;
        if (_minWindowBytes > 0 && nowMs - _windowStartMs >= RateWindowMs)
        {
            bool slow = _windowBytes > 0 && _windowBytes < _minWindowBytes;
            _windowStartMs = nowMs;
            _windowBytes = 0;
            if (slow)
                return RejectReason.MinDataRate;
        }
        return null;
    }

    /// <summary>Milliseconds until <see cref="Check"/> may next have something to say; -1 = never.</summary>
    public readonly int MillisUntilNextCheck(long nowMs)
    {
        long next = long.MaxValue;
        if (_idleMs > 0)
            next = Math.Min(next, _lastActivityMs + _idleMs);
        if (_minWindowBytes > 0)
            next = Math.Min(next, _windowStartMs + RateWindowMs);
        return next == long.MaxValue ? -1 : (int)Math.Clamp(next - nowMs, 0, int.MaxValue);
    }
}
