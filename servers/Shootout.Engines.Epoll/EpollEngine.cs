using System.Net;
using System.Net.Sockets;
using Shootout.Netpoll;
using Shootout.Server.Core;

namespace Shootout.Engines.Epoll;

/// <summary>
/// Go-style engine: N epoll event loops (Options.EventLoops, 0 = one per core), one fiber per
/// connection, continuations parked on EAGAIN and resumed by readiness. See Shootout.Netpoll.
/// </summary>
/// <remarks>
/// Each loop gets its own listening socket (<see cref="ListenSocket.CreateSiblings"/>), so the kernel
/// spreads connections over the loops and no connection is handed between threads.
/// </remarks>
public sealed class EpollEngine(EngineContext context) : IEchoEngine
{
    private readonly List<Socket> _listenSockets = [];
    private EventLoopGroup? _loops;
    private IPEndPoint? _localEndPoint;

    /// <summary>The bound address once started (with Port = 0, the port the kernel chose).</summary>
    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loops is not null)
            throw new InvalidOperationException("already started");
        try
        {
            _loops = new EventLoopGroup(new NetpollOptions
            {
                Loops = context.Options.EventLoops,
                IdleTimeout = context.Options.IdleTimeout,
                OnError = e => context.Log.Error($"event loop: {e}"),
            });
            _listenSockets.AddRange(ListenSocket.CreateSiblings(context.Options, _loops.Loops.Count));
            _localEndPoint = (IPEndPoint)_listenSockets[0].LocalEndPoint!;
            await _loops.StartAcceptingAsync(_listenSockets, new EchoHandler(context)).WaitAsync(cancellationToken);
            context.Log.Info($"epoll engine listening on {_localEndPoint} with {_loops.Loops.Count} event loops");
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
        CloseListeners();
    }

    public async ValueTask DisposeAsync()
    {
        if (_loops is not null)
            await _loops.DisposeAsync();
        CloseListeners();
    }

    private void CloseListeners()
    {
        foreach (Socket socket in _listenSockets)
            socket.Dispose();
        _listenSockets.Clear();
    }
}
