using System.Net.Sockets;
using Shootout.Netpoll;
using Shootout.Server.Core;

namespace Shootout.Engines.Epoll;

/// <summary>Admission, accept errors and the echo fiber of every connection.</summary>
internal sealed class EchoHandler(EngineContext context) : IConnectionHandler
{
    private readonly ServerStats _stats = context.Stats;
    private readonly ConnectionGate _gate = context.Gate;
    private readonly RateLimitedLog _acceptErrorLog = new(context.Log, TimeSpan.FromSeconds(5));

    public bool OnAccepted() => _gate.TryEnter();

    public TimeSpan OnAcceptError(int errno)
    {
        if (AcceptErrors.IsFdExhaustion(errno))
        {
            _stats.OnRejected(RejectReason.FdLimit);
            _acceptErrorLog.Warn(
                $"accept: out of file descriptors (errno {errno}); pausing accepts for {AcceptErrors.FdExhaustedBackoff.TotalMilliseconds} ms");
            return AcceptErrors.FdExhaustedBackoff;
        }
        // Anything else (ENOBUFS, ENOMEM, ...) is also a resource shortage: back off the same way.
        _acceptErrorLog.Warn($"accept failed: errno {errno}; pausing accepts");
        return AcceptErrors.FdExhaustedBackoff;
    }

    private readonly bool _minDataRate = context.Options.MinDataRate is not null;

    public void OnConnection(NetConnection connection) =>
        _ = _minDataRate ? EchoWithMinDataRateAsync(connection, context.Options) : EchoAsync(connection);

    /// <summary>
    /// The fiber: echo until the client's FIN, then close. A <see cref="Fiber"/> rather than a Task, and
    /// its locals kept to the connection and one count, because this state machine is most of what an
    /// idle connection costs. The bytes live in the loop's shared buffer only between a read and its
    /// write; a write the kernel does not take at once is copied out by the connection, and no read
    /// happens until it drained.
    /// </summary>
    private async Fiber EchoAsync(NetConnection connection)
    {
        try
        {
            while (true)
            {
                int n = await connection.ReadAsync(connection.Loop.SharedBuffer);
                if (n == 0)
                    break;
                await connection.WriteAsync(connection.Loop.SharedBuffer[..n]);
                _stats.OnEchoed(n);
            }
        }
        catch (Exception e) when (Ended(e))
        {
        }
        finally
        {
            Release(connection);
        }
    }

    /// <summary>
    /// The same fiber with the --min-data-rate rule (the event loop enforces --idle-timeout). A slow
    /// drip keeps sending, so checking the rule as each read completes is enough to catch it. Kept
    /// apart, though it repeats the plain fiber's shape, so the plain fiber's state machine (what every
    /// idle connection costs) holds no <see cref="TrafficWatch"/>.
    /// </summary>
    private async Fiber EchoWithMinDataRateAsync(NetConnection connection, ServerOptions options)
    {
        var watch = new TrafficWatch(options, Environment.TickCount64);
        try
        {
            while (true)
            {
                int n = await connection.ReadAsync(connection.Loop.SharedBuffer);
                if (n == 0)
                    break;
                watch.OnReceived(n, Environment.TickCount64);
                if (watch.Check(Environment.TickCount64) is { } reason)
                {
                    _stats.OnRejected(reason);
                    break;
                }
                await connection.WriteAsync(connection.Loop.SharedBuffer[..n]);
                _stats.OnEchoed(n);
            }
        }
        catch (Exception e) when (Ended(e))
        {
        }
        finally
        {
            Release(connection);
        }
    }

    /// <summary>The connection has ended: close it and give back its admission.</summary>
    private void Release(NetConnection connection)
    {
        connection.Close();
        _gate.Exit();
    }

    /// <summary>How a connection ends without the server being at fault; counted where it is the server's doing.</summary>
    private bool Ended(Exception e)
    {
        switch (e)
        {
            case TimeoutException:
                _stats.OnRejected(RejectReason.IdleTimeout);
                return true;
            case SocketException or ObjectDisposedException:
                return true; // reset, broken pipe or stop: this connection ends, nothing else does
            default:
                return false;
        }
    }
}
