namespace Shootout.Server.Core;

/// <summary>One line per event on stderr, so stdout stays free for tools that parse it.</summary>
public class ServerLog(string engine, TextWriter? writer = null)
{
    private readonly TextWriter _writer = writer ?? Console.Error;
    private readonly Lock _lock = new();

    public void Info(string message) => Write("info", message);
    public void Warn(string message) => Write("warn", message);
    public void Error(string message) => Write("error", message);

    private void Write(string level, string message)
    {
        lock (_lock)
            _writer.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {level} [{engine} pid {Environment.ProcessId}] {message}");
    }
}

/// <summary>Logs a repeating condition at most once per interval, with how often it happened since.</summary>
public sealed class RateLimitedLog(ServerLog log, TimeSpan interval)
{
    private long _nextTicks;
    private long _suppressed;

    public void Warn(string message)
    {
        long now = Environment.TickCount64;
        long next = Volatile.Read(ref _nextTicks);
        if (now < next || Interlocked.CompareExchange(ref _nextTicks, now + (long)interval.TotalMilliseconds, next) != next)
        {
            Interlocked.Increment(ref _suppressed);
            return;
        }
        long more = Interlocked.Exchange(ref _suppressed, 0);
        log.Warn(more > 0 ? $"{message} (and {more} more like it)" : message);
    }
}
