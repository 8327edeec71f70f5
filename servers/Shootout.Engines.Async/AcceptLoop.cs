using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>Accepts from one listener and runs each connection through the application delegate.</summary>
internal sealed class AcceptLoop(IConnectionListener listener, ConnectionDelegate application, OpenConnections open, EngineContext context)
{
    private readonly RateLimitedLog _fdLog = new(context.Log, TimeSpan.FromSeconds(5));

    public async Task RunAsync()
    {
        while (true)
        {
            ConnectionContext? connection;
            try
            {
                connection = await listener.AcceptAsync();
            }
            catch (SocketException e) when (AcceptErrors.IsFdExhaustion(e))
            {
                context.Stats.OnRejected(RejectReason.FdLimit);
                _fdLog.Warn($"accept: out of file descriptors ({e.Message}); backing off");
                await Task.Delay(AcceptErrors.FdExhaustedBackoff);
                continue;
            }
            if (connection is null)
                return; // unbound: the server is stopping
            _ = RunAsync(connection);
        }
    }

    private async Task RunAsync(ConnectionContext connection)
    {
        int slot = open.Add(connection);
        try
        {
            await application(connection);
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or SocketException or IOException)
        {
            // A reset or broken pipe ends this connection only.
        }
        catch (Exception e)
        {
            context.Log.Error($"connection {connection.ConnectionId} failed: {e}");
        }
        finally
        {
            open.Remove(slot);
            await connection.DisposeAsync();
        }
    }
}
