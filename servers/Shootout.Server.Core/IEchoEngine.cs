namespace Shootout.Server.Core;

/// <summary>
/// The one contract between the host and an engine. The host owns the CLI, metrics, signals and
/// process lifetime; an engine only accepts connections and echoes bytes.
/// </summary>
public interface IEchoEngine : IAsyncDisposable
{
    /// <summary>The address actually bound once started (so --port 0 can be announced to tests and tools).</summary>
    System.Net.IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds, starts listening and accepting. Returns once the listener is up.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Stops accepting, closes every open connection and returns when they are gone.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>Creates an engine for one server process.</summary>
public delegate IEchoEngine EngineFactory(EngineContext context);
