using System.Net;
using System.Net.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Uring;

/// <summary>
/// io_uring engine: N event loops (Options.EventLoops, 0 = one per core), each with its own ring and
/// its own SO_REUSEPORT listener (<see cref="ListenSocket.CreateSiblings"/>); one fiber per connection, parked on an SQE and resumed by its CQE.
/// See this folder's README for the ring layout and what each ring feature buys.
/// </summary>
public sealed class UringEngine(EngineContext context) : IEchoEngine
{
    private readonly List<Socket> _listenSockets = [];
    private readonly List<UringLoop> _loops = [];
    private IPEndPoint? _localEndPoint;

    public IPEndPoint LocalEndPoint => _localEndPoint ?? throw new InvalidOperationException("not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_loops.Count > 0)
            throw new InvalidOperationException("already started");
        RingFeatures features;
        try
        {
            features = RingFeatures.Parse(Environment.GetEnvironmentVariable(RingFeatures.EnvironmentVariable));
        }
        catch (ArgumentException e)
        {
            throw new EngineUnavailableException(e.Message);
        }
        var settings = new UringEngineSettings
        {
            Features = features,
            IdleTimeout = context.Options.IdleTimeout,
            OnError = e => context.Log.Error($"event loop: {e}"),
        };
        int loopCount = context.Options.EventLoops == 0 ? Environment.ProcessorCount : context.Options.EventLoops;
        try
        {
            _listenSockets.AddRange(ListenSocket.CreateSiblings(context.Options, loopCount));
            // An accepted socket inherits TCP_NODELAY from its listener on Linux: set once here, an accept
            // costs no syscall of its own (the multishot accept's CQE is all there is).
            foreach (Socket listener in _listenSockets)
                listener.NoDelay = true;
            _localEndPoint = (IPEndPoint)_listenSockets[0].LocalEndPoint!;

            var handler = new EchoHandler(context);
            for (int i = 0; i < loopCount; i++)
                _loops.Add(new UringLoop(i, _listenSockets[i], settings, handler));
            try
            {
                await Task.WhenAll(_loops.Select(l => l.StartAsync())).WaitAsync(cancellationToken);
            }
            catch (RingSetupException e)
            {
                throw new EngineUnavailableException(RingUnavailable.Explain(e.Errno), e);
            }
            await Task.WhenAll(_loops.Select(l => l.StartAcceptingAsync())).WaitAsync(cancellationToken);
            context.Log.Info($"uring engine listening on {_localEndPoint} with {loopCount} event loops, one ring each: {_loops[0].Description}");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_loops.Count == 0)
            return;
        await StopLoopsAsync().WaitAsync(cancellationToken);
        CloseListeners();
    }

    public async ValueTask DisposeAsync()
    {
        await StopLoopsAsync();
        CloseListeners();
    }

    /// <summary>Two phases, as the epoll engine: every loop stops accepting, then every loop closes its connections and exits.</summary>
    private async Task StopLoopsAsync()
    {
        var running = _loops.Where(l => !l.Exited.IsCompleted).ToList();
        try
        {
            await Task.WhenAll(running.Select(l => l.StopAcceptingAsync()));
        }
        catch (InvalidOperationException)
        {
            // a loop exited meanwhile
        }
        foreach (UringLoop loop in running)
        {
            try { loop.RequestStop(); }
            catch (InvalidOperationException) { }
        }
        await Task.WhenAll(_loops.Select(l => l.Exited));
    }

    private void CloseListeners()
    {
        foreach (Socket socket in _listenSockets)
            socket.Dispose();
        _listenSockets.Clear();
    }
}
