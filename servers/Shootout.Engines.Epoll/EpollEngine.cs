using System.Net;
using System.Net.Sockets;
using Shootout.Netpoll;
using Shootout.Server.Core;

namespace Shootout.Engines.Epoll;

/// <summary>
/// Go-style engine: N epoll event loops (Options.EventLoops, 0 = one per core), one fiber per
/// connection, continuations parked on EAGAIN and resumed by readiness. See Shootout.Netpoll.
/// </summary>
public sealed class EpollEngine(EngineContext context) : IEchoEngine
{
    private Socket? _listenSocket;
    private EventLoopGroup? _loops;

    /// <summary>The bound address once started (with Port = 0, the port the kernel chose).</summary>
    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("not started");

    private IPEndPoint? _localEndPoint;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loops is not null)
            throw new InvalidOperationException("already started");
        _listenSocket = ListenSocket.Create(context.Options);
        _localEndPoint = (IPEndPoint)_listenSocket.LocalEndPoint!;
        try
        {
            _loops = new EventLoopGroup(new NetpollOptions
            {
                Loops = context.Options.EventLoops,
                IdleTimeout = context.Options.IdleTimeout,
                OnError = e => context.Log.Error($"event loop: {e}"),
            });
            await _loops.StartAcceptingAsync(_listenSocket, new EchoHandler(context)).WaitAsync(cancellationToken);
            context.Log.Info($"epoll engine listening on {_listenSocket.LocalEndPoint} with {_loops.Loops.Count} event loops");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loops is null)
            return;
        await _loops.StopAsync().WaitAsync(cancellationToken);
        _listenSocket?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_loops is not null)
            await _loops.DisposeAsync();
        _listenSocket?.Dispose();
    }
}
