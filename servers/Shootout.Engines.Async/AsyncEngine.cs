using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>
/// Kestrel's Sockets transport used as a raw TCP server, Bedrock.Framework style: listeners from
/// <see cref="SocketTransportFactory"/>, our own accept loops, and one <see cref="ConnectionDelegate"/>
/// built from connection middleware and the echo <see cref="ConnectionHandler"/>.
/// </summary>
/// <remarks>
/// Why not KestrelServer around the same transport: measured here, its hosting layer (per-connection
/// KestrelConnection, connection manager entry, weak reference, metrics context, lifetime features)
/// costs about 0.7 KB more per idle connection, and its single accept loop per endpoint falls behind
/// a stream of connects until the backlog overflows and clients wait out SYN retransmits.
/// Here there is one accept loop per core, each on its own SO_REUSEPORT listener.
/// </remarks>
public sealed class AsyncEngine(EngineContext context) : IEchoEngine
{
    private readonly OpenConnections _open = new();
    private readonly List<IConnectionListener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private ServiceProvider? _services;

    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = context.Options;
        SocketEngineSettings.Apply();
        _services = new ServiceCollection().AddSingleton(context.Stats).BuildServiceProvider();
        ConnectionDelegate application = new ConnectionBuilder(_services)
            .Use(next => new ConnectionGateMiddleware(next, context.Gate).OnConnectionAsync)
            .UseConnectionHandler<EchoConnectionHandler>()
            .Build();

        // Sibling listeners share the port through SO_REUSEPORT, so check first that the port is
        // ours alone unless --reuse-port asked to share it.
        if (!options.ReusePort && options.Port != 0)
            ListenSocket.CreateBound(new IPEndPoint(options.Bind, options.Port), reusePort: false).Dispose();

        var transport = new SocketTransportFactory(Options.Create(SocketTransportTuning.Create(options)), NullLoggerFactory.Instance);
        var first = await transport.BindAsync(new IPEndPoint(options.Bind, options.Port), cancellationToken);
        _listeners.Add(first);
        LocalEndPoint = (IPEndPoint)first.EndPoint;
        for (int i = 1; i < Environment.ProcessorCount; i++)
            _listeners.Add(await transport.BindAsync(LocalEndPoint, cancellationToken));

        foreach (var listener in _listeners)
            _acceptLoops.Add(new AcceptLoop(listener, application, _open, context).RunAsync());
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var listener in _listeners)
            await listener.UnbindAsync(cancellationToken);
        await Task.WhenAll(_acceptLoops).WaitAsync(cancellationToken);
        _open.AbortAll();
        while (context.Stats.OpenConnections > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
            await listener.DisposeAsync();
        if (_services is not null)
            await _services.DisposeAsync();
    }
}
