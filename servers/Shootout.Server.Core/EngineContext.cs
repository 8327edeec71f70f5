using Shootout.Common;

namespace Shootout.Server.Core;

/// <summary>Everything an engine is handed by the host.</summary>
public sealed class EngineContext(ServerOptions options, ServerStats stats, ServerLog log)
{
    public ServerOptions Options { get; } = options;
    public ServerStats Stats { get; } = stats;
    public ServerLog Log { get; } = log;

    /// <summary>Admission control shared by every engine: the same limit, counted the same way.</summary>
    public ConnectionGate Gate { get; } = new(options.MaxConnections, FileLimit.ConnectionBudget(), stats, log);
}
