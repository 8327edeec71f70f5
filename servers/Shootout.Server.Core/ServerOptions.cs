using System.Net;

namespace Shootout.Server.Core;

/// <summary>
/// The server's settings, parsed and validated by the host. Most mean the same to every engine; the
/// few that one engine alone reads say so and are grouped last among the properties (the others
/// ignore them), so one record reaches every engine through <see cref="EngineContext"/>.
/// </summary>
public sealed record ServerOptions
{
    public required string Engine { get; init; }
    public IPAddress Bind { get; init; } = IPAddress.Any;
    public int Port { get; init; } = 7000;
    public bool ReusePort { get; init; }

    /// <summary>Open connections allowed at once; the next one is closed at once and counted.</summary>
    public int MaxConnections { get; init; } = 1_000_000;

    public int Backlog { get; init; } = ListenSocket.DefaultBacklog();

    /// <summary>Close a connection that has been silent this long; null = never (the idle benchmark needs that).</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Bytes per second a connection must average once it has sent something; null = no minimum.</summary>
    public int? MinDataRate { get; init; }

    // Read by one engine only.

    /// <summary>threads engine: stack reserved per connection thread.</summary>
    public int ThreadStackKb { get; init; } = 64;

    /// <summary>epoll and uring engines: event-loop threads; 0 means one per core.</summary>
    public int EventLoops { get; init; }

    /// <summary>Most bytes held for a client that does not read before the server stops reading from it.</summary>
    public const int MaxPendingBytesPerConnection = 64 * 1024;
}
