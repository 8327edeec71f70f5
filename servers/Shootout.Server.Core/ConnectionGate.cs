namespace Shootout.Server.Core;

/// <summary>
/// Admission control for accepted connections: every engine asks the gate before serving a
/// connection, so --max-connections means the same thing everywhere.
/// </summary>
public sealed class ConnectionGate(int maxConnections, ServerStats stats, ServerLog log)
{
    private long _open;
    private readonly RateLimitedLog _limitLog = new(log, TimeSpan.FromSeconds(5));

    /// <summary>Counts an accepted connection and admits it if under the limit.</summary>
    /// <returns>false: the caller closes the connection at once (already counted as rejected).</returns>
    public bool TryEnter()
    {
        stats.OnAccepted();
        if (Interlocked.Increment(ref _open) > maxConnections)
        {
            Interlocked.Decrement(ref _open);
            stats.OnRejected(RejectReason.Limit);
            _limitLog.Warn($"connection limit {maxConnections} reached: closing new connections");
            return false;
        }
        stats.OnOpened();
        return true;
    }

    /// <summary>An admitted connection ended.</summary>
    public void Exit()
    {
        Interlocked.Decrement(ref _open);
        stats.OnClosed();
    }
}
