using System.Net;
using System.Net.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Threads;

/// <summary>
/// One dedicated OS thread per accepted connection, blocking receive and send. An accept thread
/// hands each admitted descriptor to a new <see cref="ConnectionThread"/>.
/// </summary>
public sealed class ThreadsEngine(EngineContext context) : IEchoEngine
{
    private readonly OpenConnections _open = new();
    private Socket? _listener;
    private Thread? _acceptThread;
    private volatile bool _stopping;

    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ThreadCapacity.WarnIfBelow(context.Options.MaxConnections, context.Log);
        _listener = ListenSocket.Create(context.Options);
        LocalEndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        int listenFd = (int)_listener.SafeHandle.DangerousGetHandle();
        // The acceptor does almost nothing per connection; a normal stack keeps JIT and logging safe.
        _acceptThread = new Thread(() => AcceptLoop(listenFd)) { IsBackground = true, Name = "accept" };
        _acceptThread.Start();
        return Task.CompletedTask;
    }

    private unsafe void AcceptLoop(int listenFd)
    {
        var fdLog = new RateLimitedLog(context.Log, TimeSpan.FromSeconds(5));
        var threadLog = new RateLimitedLog(context.Log, TimeSpan.FromSeconds(5));
        int stackBytes = context.Options.ThreadStackKb * 1024;
        while (!_stopping)
        {
            int fd = Libc.Accept4(listenFd, null, null, Libc.SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Libc.LastError;
                if (_stopping)
                    return;
                if (AcceptErrors.IsFdExhaustion(errno))
                {
                    context.Stats.OnRejected(RejectReason.FdLimit);
                    fdLog.Warn("accept: out of file descriptors; backing off");
                    Thread.Sleep(AcceptErrors.FdExhaustedBackoff);
                }
                continue; // EINTR, ECONNABORTED and the like concern one connection only
            }

            if (!context.Gate.TryEnter())
            {
                Libc.Close(fd);
                continue;
            }

            var connection = new ConnectionThread(fd, context, _open);
            connection.Register();
            try
            {
                new Thread(connection.Run, stackBytes) { IsBackground = true }.Start();
            }
            catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
            {
                // The OS said no: refuse this one, keep serving. Starting a thread takes descriptors
                // too, so when those ran out it is the same shortage as EMFILE on accept.
                bool outOfDescriptors = Libc.OutOfDescriptors(); // asked before this connection's descriptor is freed
                connection.Abandon();
                if (outOfDescriptors)
                {
                    context.Stats.OnRejected(RejectReason.FdLimit);
                    fdLog.Warn("accept: out of file descriptors (no thread could be started); backing off");
                    Thread.Sleep(AcceptErrors.FdExhaustedBackoff);
                }
                else
                {
                    // pid_max, threads-max, max_map_count or memory
                    context.Stats.OnRejected(RejectReason.ThreadLimit);
                    threadLog.Warn($"cannot start a thread for a new connection ({e.Message}); closing it");
                }
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        StopAccepting();
        _open.ShutdownAll();
        // Each connection thread wakes from its blocking wait, sees EOF and closes its descriptor.
        while (context.Stats.OpenConnections > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None);
    }

    public ValueTask DisposeAsync()
    {
        StopAccepting();
        _listener?.Dispose();
        return ValueTask.CompletedTask;
    }

    private void StopAccepting()
    {
        if (_stopping || _listener is null)
            return;
        _stopping = true;
        // Closing a descriptor does not wake a thread blocked in accept on it; shutting it down does.
        Libc.Shutdown((int)_listener.SafeHandle.DangerousGetHandle(), Libc.SHUT_RDWR);
        _acceptThread?.Join(TimeSpan.FromSeconds(1));
    }
}
