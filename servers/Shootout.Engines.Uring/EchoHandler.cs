using System.Net.Sockets;
using Shootout.Netpoll;
using Shootout.Server.Core;

namespace Shootout.Engines.Uring;

/// <summary>Admission, accept errors and the echo fiber of every connection.</summary>
internal sealed class EchoHandler(EngineContext context)
{
    private readonly ServerStats _stats = context.Stats;
    private readonly ConnectionGate _gate = context.Gate;
    private readonly RateLimitedLog _acceptErrorLog = new(context.Log, TimeSpan.FromSeconds(5));
    private readonly bool _minDataRate = context.Options.MinDataRate is not null;

    /// <summary>Admission (--max-connections, the descriptor budget); false: the socket is closed at once.</summary>
    public bool OnAccepted() => _gate.TryEnter();

    /// <summary>A connection admitted by <see cref="OnAccepted"/> has closed its descriptor.</summary>
    public void OnClosed() => _gate.Exit();

    /// <summary>An accept completed with <paramref name="errno"/>; returns how long this loop stops accepting.</summary>
    public TimeSpan OnAcceptError(int errno)
    {
        if (AcceptErrors.IsFdExhaustion(errno))
        {
            _stats.OnRejected(RejectReason.FdLimit);
            _acceptErrorLog.Warn($"accept: out of file descriptors (errno {errno}); pausing accepts for {AcceptErrors.FdExhaustedBackoff.TotalMilliseconds} ms");
        }
        else
        {
            // Anything else (ENOBUFS, ENOMEM, ...) is also a resource shortage: back off the same way.
            _acceptErrorLog.Warn($"accept failed: errno {errno}; pausing accepts");
        }
        return AcceptErrors.FdExhaustedBackoff;
    }

    public void OnConnection(UringConnection connection) => _ = _minDataRate ? EchoAsync(connection, context.Options) : EchoAsync(connection);

    /// <summary>
    /// The fiber: echo until the client's FIN, then close. Straight-line code; each await is one SQE
    /// and the fiber parks until its CQE. The received bytes stay in the ring's buffer they landed in
    /// and are sent from there; no read is issued until that send completed.
    /// </summary>
    private async Fiber EchoAsync(UringConnection connection)
    {
        try
        {
            while (true)
            {
                int n = await connection.ReceiveAsync();
                if (n == 0)
                    break;
                await connection.SendReceivedAsync();
                _stats.OnEchoed(n);
            }
        }
        catch (Exception e) when (Ended(e))
        {
        }
        finally
        {
            connection.Close();
        }
    }

    /// <summary>
    /// The same fiber with the --min-data-rate rule (the loop enforces --idle-timeout), kept apart so the
    /// plain fiber's state machine, what every idle connection costs, stays small.
    /// </summary>
    private async Fiber EchoAsync(UringConnection connection, ServerOptions options)
    {
        var watch = new TrafficWatch(options, Environment.TickCount64);
        try
        {
            while (true)
            {
                int n = await connection.ReceiveAsync();
                if (n == 0)
                    break;
                watch.OnReceived(n, Environment.TickCount64);
                if (watch.Check(Environment.TickCount64) is { } reason)
                {
                    _stats.OnRejected(reason);
                    break;
                }
                await connection.SendReceivedAsync();
                _stats.OnEchoed(n);
            }
        }
        catch (Exception e) when (Ended(e))
        {
        }
        finally
        {
            connection.Close();
        }
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
