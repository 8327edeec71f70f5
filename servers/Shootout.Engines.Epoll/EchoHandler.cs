using Shootout.Fibers;
using Shootout.Netpoll;
using Shootout.Server.Core;

namespace Shootout.Engines.Epoll;

/// <summary>The echo fiber of every connection; admission, accept errors and counting are <see cref="FiberConnectionRules"/>.</summary>
internal sealed class EchoHandler(EngineContext context) : IConnectionHandler
{
    private readonly FiberConnectionRules _rules = new(context);

    public bool OnAccepted() => _rules.TryAdmit();

    public TimeSpan OnAcceptError(int errno) => _rules.OnAcceptError(errno);

    public void OnConnection(NetConnection connection) =>
        _ = _rules.EnforcesMinDataRate ? EchoWithMinDataRateAsync(connection, _rules.Options) : EchoAsync(connection);

    /// <summary>
    /// The fiber: echo until the client's FIN, then close. A <see cref="Fiber"/> rather than a Task, and
    /// its state kept to the connection alone, because this state machine is most of what an idle
    /// connection costs: static, so it holds no handler (it finds the rules through the connection's loop),
    /// and the count echoed is the write's own result, so no local outlives an await. The bytes live in the
    /// loop's shared buffer only between a read and its write; a write the kernel does not take at once is
    /// copied out by the connection, and no read happens until it drained.
    /// </summary>
    private static async Fiber EchoAsync(NetConnection connection)
    {
        try
        {
            while (true)
            {
                int n = await connection.ReadAsync(connection.Loop.SharedBuffer);
                if (n == 0)
                    break;
                int echoed = await connection.WriteAsync(connection.Loop.SharedBuffer[..n]); // first: a receiver read before
                RulesOf(connection).OnEchoed(echoed);                                           // an await is kept across it
            }
        }
        catch (Exception e) when (RulesOf(connection).IsOrdinaryEnd(e))
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
                    _rules.OnRejected(reason);
                    break;
                }
                await connection.WriteAsync(connection.Loop.SharedBuffer[..n]);
                _rules.OnEchoed(n);
            }
        }
        catch (Exception e) when (_rules.IsOrdinaryEnd(e))
        {
        }
        finally
        {
            Release(connection);
        }
    }

    /// <summary>The connection has ended: close it and give back its admission.</summary>
    private static void Release(NetConnection connection)
    {
        FiberConnectionRules rules = RulesOf(connection);
        connection.Close();
        rules.OnClosed();
    }

    /// <summary>The rules of the handler that serves <paramref name="connection"/>'s loop: this engine's, always.</summary>
    private static FiberConnectionRules RulesOf(NetConnection connection) => ((EchoHandler)connection.Loop.Handler!)._rules;
}
