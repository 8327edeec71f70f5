using System.Net;
using System.Net.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Threads;

/// <summary>
/// One dedicated OS thread per accepted connection, blocking receive and send. An accept thread
/// hands each admitted socket to a new <see cref="ConnectionThread"/>.
/// </summary>
public sealed class ThreadsEngine(EngineContext context) : IEchoEngine
{
    private readonly OpenConnections _open = new();
    private Socket? _listener;
    private Thread? _acceptThread;
    private volatile bool _stopping;

    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("not started"));

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ThreadCapacity.WarnIfBelow(context.Options.MaxConnections, context.Log);
        _listener = ListenSocket.Create(context.Options);
        // The acceptor does almost nothing per connection; a normal stack keeps JIT and logging safe.
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "accept" };
        _acceptThread.Start();
        return Task.CompletedTask;
    }

    private void AcceptLoop()
    {
        var fdLog = new RateLimitedLog(context.Log, TimeSpan.FromSeconds(5));
        var threadLog = new RateLimitedLog(context.Log, TimeSpan.FromSeconds(5));
        int stackBytes = context.Options.ThreadStackKb * 1024;
        while (!_stopping)
        {
            Socket socket;
            try
            {
                socket = _listener!.Accept();
            }
            catch (SocketException e) when (AcceptErrors.IsFdExhaustion(e))
            {
                context.Stats.OnRejected(RejectReason.FdLimit);
                fdLog.Warn($"accept: out of file descriptors ({e.Message}); backing off");
                Thread.Sleep(AcceptErrors.FdExhaustedBackoff);
                continue;
            }
            catch (SocketException e) when (AcceptErrors.IsTransient(e.SocketErrorCode))
            {
                continue;
            }
            catch (Exception) when (_stopping)
            {
                return;
            }

            if (!context.Gate.TryEnter())
            {
                socket.Dispose();
                continue;
            }

            var connection = new ConnectionThread(socket, context, _open);
            try
            {
                new Thread(connection.Run, stackBytes) { IsBackground = true }.Start();
            }
            catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
            {
                // The OS said no (pid_max, threads-max, max_map_count or memory): refuse this one, keep serving.
                context.Stats.OnRejected(RejectReason.ThreadLimit);
                threadLog.Warn($"cannot start a thread for a new connection ({e.Message}); closing it");
                connection.Abandon();
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _listener?.Dispose();
        _open.ShutdownAll();
        // Each connection thread wakes from its blocking wait, sees EOF and closes its socket.
        while (context.Stats.OpenConnections > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None);
    }

    public ValueTask DisposeAsync()
    {
        _stopping = true;
        _listener?.Dispose();
        return ValueTask.CompletedTask;
    }
}
