using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>The application: whatever arrives goes back, in order.</summary>
internal sealed class EchoConnectionHandler(ServerStats stats) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Few locals live across an await, so the state machine every idle connection keeps is small.
        var transport = connection.Transport;
        while (true)
        {
            bool clientDone = CopyToOutput(await transport.Input.ReadAsync(), transport);
            // Flushing waits while the client is not reading and the output pipe is full, and
            // this loop stops reading meanwhile: backpressure bounded by the two pipes' limits.
            var flush = await transport.Output.FlushAsync();
            if (clientDone || flush.IsCompleted)
                return; // client FIN (everything read has been echoed) or the client went away
        }
    }

    private bool CopyToOutput(ReadResult result, IDuplexPipe transport)
    {
        var buffer = result.Buffer;
        foreach (var segment in buffer)
            transport.Output.Write(segment.Span);
        stats.OnEchoed((int)buffer.Length);
        transport.Input.AdvanceTo(buffer.End); // copied already: the input buffer can go back to the pool
        return result.IsCompleted;
    }
}
