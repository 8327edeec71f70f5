using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>
/// Kestrel's Sockets transport used as a raw TCP server, Bedrock.Framework style: Kestrel's socket
/// connections (<see cref="SocketConnectionContextFactory"/>: pipes, receive and send loops on .NET's
/// SocketAsyncEngine), our own accept loops, and one <see cref="ConnectionDelegate"/> built from
/// connection middleware and the echo <see cref="ConnectionHandler"/>.
/// </summary>
/// <remarks>
/// Why not KestrelServer around the same transport: measured here, its hosting layer (per-connection
/// KestrelConnection, connection manager entry, weak reference, metrics context, lifetime features)
/// costs about 0.7 KB more per idle connection; its single accept loop per endpoint falls behind a
/// stream of connects until the backlog (512 by default) overflows and clients wait out SYN
/// retransmits; and its listener retries EMFILE at once, spinning a core when out of descriptors.
/// Here there is one accept loop per core, each on its own SO_REUSEPORT listen socket.
/// </remarks>
public sealed class AsyncEngine(EngineContext context) : IEchoEngine
{
    private readonly OpenConnections _open = new();
    private readonly List<Socket> _listenSockets = [];
    private SocketConnectionContextFactory? _connections;
    private readonly List<Task> _acceptLoops = [];
    private ServiceProvider? _services;
    private TrafficWatchMiddleware? _trafficWatch;

    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = context.Options;
        SocketEngineSettings.Apply();
        _services = new ServiceCollection()
            .AddSingleton(context.Stats)
            .AddSingleton(new BackgroundLane(Environment.ProcessorCount, context.Log))
            .BuildServiceProvider();
        var pipeline = new ConnectionBuilder(_services)
            .Use(next => new ConnectionGateMiddleware(next, context.Gate).OnConnectionAsync);
        if (new TrafficWatch(options, 0).Enabled)
            pipeline.Use(next => (_trafficWatch = new TrafficWatchMiddleware(next, context)).OnConnectionAsync);
        ConnectionDelegate application = pipeline.UseConnectionHandler<EchoConnectionHandler>().Build();

        _listenSockets.AddRange(ListenSocket.CreateSiblings(options, Environment.ProcessorCount));
        LocalEndPoint = (IPEndPoint)_listenSockets[0].LocalEndPoint!;

        _connections = new SocketConnectionContextFactory(SocketTransportTuning.Create(), NullLogger.Instance);
        foreach (var listenSocket in _listenSockets)
            _acceptLoops.Add(new AcceptLoop(listenSocket, _connections, application, _open, context).AcceptUntilClosedAsync());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var listenSocket in _listenSockets)
            listenSocket.Dispose();
        await Task.WhenAll(_acceptLoops).WaitAsync(cancellationToken);
        _open.AbortAll();
        while (context.Stats.OpenConnections > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _trafficWatch?.Dispose();
        foreach (var listenSocket in _listenSockets)
            listenSocket.Dispose();
        _connections?.Dispose();
        if (_services is not null)
            await _services.DisposeAsync();
    }
}
