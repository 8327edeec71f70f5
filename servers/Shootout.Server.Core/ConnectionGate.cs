using Shootout.Common;

namespace Shootout.Server.Core;

/// <summary>
/// Admission control for accepted connections: every engine asks the gate before serving a
/// connection, so --max-connections means the same thing everywhere. It also keeps connections
/// within the descriptor budget (the open-file limit less a reserve), so the process itself never
/// runs out of descriptors: connections past it are closed at once and counted as fd_limit.
/// </summary>
public sealed class ConnectionGate(int maxConnections, int descriptorBudget, ServerStats stats, ServerLog log)
{
    private long _open;
    private readonly RateLimitedLog _limitLog = new(log, TimeSpan.FromSeconds(5));
    private readonly RateLimitedLog _fdLog = new(log, TimeSpan.FromSeconds(5));

    /// <summary>Counts an accepted connection and admits it if under the limit.</summary>
    /// <returns>false: the caller closes the connection at once (already counted as rejected).</returns>
    public bool TryEnter()
    {
        stats.OnAccepted();
        long open = Interlocked.Increment(ref _open);
        if (open > maxConnections)
        {
            Interlocked.Decrement(ref _open);
            stats.OnRejected(RejectReason.Limit);
            _limitLog.Warn($"connection limit {maxConnections} reached: closing new connections");
            return false;
        }
        if (open > descriptorBudget)
        {
            Interlocked.Decrement(ref _open);
            stats.OnRejected(RejectReason.FdLimit);
            _fdLog.Warn($"out of file descriptors: {descriptorBudget} connections is all the open-file limit allows "
                + $"(less {FileLimit.Reserve} kept back); closing new connections");
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
