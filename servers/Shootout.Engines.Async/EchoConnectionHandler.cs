using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>The application: whatever arrives goes back, in order.</summary>
internal sealed class EchoConnectionHandler(ServerStats stats) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            foreach (var segment in buffer)
                output.Write(segment.Span);
            // Flushing waits while the client is not reading and the output pipe is full, and
            // this loop stops reading meanwhile: backpressure bounded by the two pipes' limits.
            var flush = await output.FlushAsync();
            stats.OnEchoed((int)buffer.Length);
            input.AdvanceTo(buffer.End);
            if (result.IsCompleted || flush.IsCompleted)
                return; // client FIN (all echoed above) or the client went away
        }
    }
}
