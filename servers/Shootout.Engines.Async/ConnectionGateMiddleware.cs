using Microsoft.AspNetCore.Connections;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>Connection middleware: admission and the open-connection count, around any handler.</summary>
internal sealed class ConnectionGateMiddleware(ConnectionDelegate next, ConnectionGate gate)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        if (!gate.TryEnter())
        {
            connection.Abort();
            return;
        }
        try
        {
            await next(connection);
        }
        finally
        {
            gate.Exit();
        }
    }
}
