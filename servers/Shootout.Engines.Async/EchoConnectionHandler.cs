using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>The application: whatever arrives goes back, in order.</summary>
/// <remarks>
/// Fairness: with inline socket completions and inline pipe scheduling (see <see cref="SocketEngineSettings"/>
/// and <see cref="SocketTransportTuning"/>) a whole echo runs on the socket engine's epoll thread, and a
/// client whose socket always has data would keep that thread forever: the receive loop never goes
/// asynchronous, so the thread never returns to epoll_wait and every other connection on it starves.
/// So after every <see cref="YieldAfterBytes"/> echoed, the handler yields to the thread pool. The receive
/// loop then stops at the input pipe's limit, the epoll thread goes back to its other sockets, and the
/// busy connection carries on from the thread pool, taking its turn there behind the others.
/// </remarks>
internal sealed class EchoConnectionHandler(ServerStats stats) : ConnectionHandler
{
    /// <summary>
    /// Bytes a connection echoes before it gives its thread back: one hop per 16 KiB, nothing for small talk.
    /// Measured beside 16 floods of 64 KiB writes (shootout-loadgen neighbours, 2 rounds each): a light client's
    /// p50 0.79-0.97 ms and p99 10.8-10.9 ms at 64 KiB, 0.52-0.65 ms and 6.9-8.1 ms at 16 KiB, the floods'
    /// bytes/s the same within the rounds' spread.
    /// </summary>
    internal const int YieldAfterBytes = 16 * 1024;

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Few locals live across an await, so the state machine every idle connection keeps is small.
        var transport = connection.Transport;
        int sinceYield = 0;
        while (true)
        {
            var read = await transport.Input.ReadAsync();
            if (read.IsCanceled)
                return; // the server is stopping (OpenConnections.AbortAll)
            sinceYield += (int)Math.Min(read.Buffer.Length, YieldAfterBytes);
            bool clientDone = CopyToOutput(read, transport);
            // Flushing waits while the client is not reading and the output pipe is full, and
            // this loop stops reading meanwhile: backpressure bounded by the two pipes' limits.
            var flush = await transport.Output.FlushAsync();
            if (clientDone || flush.IsCompleted)
                return; // client FIN (everything read has been echoed) or the client went away
            if (sinceYield >= YieldAfterBytes)
            {
                sinceYield = 0;
                await Task.Yield();
            }
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
