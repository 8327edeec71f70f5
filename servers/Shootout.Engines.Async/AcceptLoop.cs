using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>
/// Accepts from one listen socket, wraps each socket in Kestrel's socket connection (pipes, receive
/// and send loops) and runs it through the application delegate.
/// </summary>
/// <remarks>
/// The accept itself is ours rather than Kestrel's listener's: that one retries every socket error
/// at once, so out of descriptors it spins a core on EMFILE. Here EMFILE backs off and is counted.
/// </remarks>
internal sealed class AcceptLoop(
    Socket listenSocket,
    SocketConnectionContextFactory connections,
    ConnectionDelegate application,
    OpenConnections open,
    EngineContext context)
{
    private readonly RateLimitedLog _fdLog = new(context.Log, TimeSpan.FromSeconds(5));

    /// <summary>Accepts and starts serving each connection, until the listen socket is closed.</summary>
    public async Task AcceptUntilClosedAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await listenSocket.AcceptAsync();
            }
            catch (SocketException e) when (AcceptErrors.IsFdExhaustion(e))
            {
                context.Stats.OnRejected(RejectReason.FdLimit);
                _fdLog.Warn($"accept: out of file descriptors ({e.Message}); backing off");
                await Task.Delay(AcceptErrors.FdExhaustedBackoff);
                continue;
            }
            catch (SocketException e) when (AcceptErrors.IsTransient(e.SocketErrorCode))
            {
                continue; // reset while in the backlog: that connection only
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return; // the listen socket was closed: the server is stopping
            }
            socket.NoDelay = true;
            _ = ServeAsync(connections.Create(socket));
        }
    }

    /// <summary>Runs one connection through the application, then disposes it; its failure ends it alone.</summary>
    private async Task ServeAsync(ConnectionContext connection)
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
