using Shootout.Server.Core;

namespace Shootout.Engines.Uring;

/// <summary>The echo fiber of every connection.</summary>
internal sealed class EchoHandler(EngineContext context)
{
    private readonly FiberConnectionRules _rules = new(context);

    /// <summary>
    /// Admission, accept errors, counting: the loop applies them itself (it closes the descriptors, through
    /// the ring, so it is the one to say when a connection's admission ends).
    /// </summary>
    public FiberConnectionRules Rules => _rules;

    public void OnConnection(UringConnection connection) =>
        _ = _rules.EnforcesMinDataRate ? EchoWithMinDataRateAsync(connection, _rules.Options) : EchoAsync(connection);

    /// <summary>
    /// The fiber: echo until the client's FIN, then close. Straight-line code; each await is one SQE
    /// and the fiber parks until its CQE. The received bytes stay in the ring's buffer they landed in
    /// and are sent from there; no read is issued until that send completed. Its state is the connection
    /// alone (this state machine is most of what an idle connection costs): static, so it holds no handler
    /// (the rules are reached through the connection's loop), and the count echoed is the send's own result.
    /// </summary>
    private static async Fiber EchoAsync(UringConnection connection)
    {
        try
        {
            while (true)
            {
                int n = await connection.ReceiveAsync();
                if (n == 0)
                    break;
                int echoed = await connection.SendReceivedAsync(); // first: a receiver read before an await is kept across it
                connection.Rules.OnEchoed(echoed);
            }
        }
        catch (Exception e) when (connection.Rules.IsOrdinaryEnd(e))
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
    private async Fiber EchoWithMinDataRateAsync(UringConnection connection, ServerOptions options)
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
                    _rules.OnRejected(reason);
                    break;
                }
                await connection.SendReceivedAsync();
                _rules.OnEchoed(n);
            }
        }
        catch (Exception e) when (_rules.IsOrdinaryEnd(e))
        {
        }
        finally
        {
            connection.Close();
        }
    }
}
