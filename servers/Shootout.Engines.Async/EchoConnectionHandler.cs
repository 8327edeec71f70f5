using System.Buffers;
using System.Diagnostics;
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
/// So a connection that has echoed <see cref="EchoTurn.Bytes"/> without its client pausing has used up
/// its turn and moves to the <see cref="BackgroundLane"/>. The receive loop then stops at the input pipe's
/// limit, the epoll thread goes back to its other sockets, and the busy connection carries on from the lane,
/// behind the others there, in a scheduling class that gives way to every light connection's echo.
/// </remarks>
internal sealed class EchoConnectionHandler(ServerStats stats, BackgroundLane lane) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Few locals live across an await (the transport, the turn, a wait's start), so the state machine
        // every idle connection keeps is small.
        var transport = connection.Transport;
        int turn = 0;
        while (true)
        {
            var reading = transport.Input.ReadAsync();
            ReadResult read;
            if (reading.IsCompleted)
                read = reading.Result;
            else
            {
                long waitStart = Stopwatch.GetTimestamp();
                read = await reading;
                if (Stopwatch.GetElapsedTime(waitStart) >= EchoTurn.PauseEnds)
                    turn = 0; // its client paused: whatever it echoes next starts a new turn
            }
            if (read.IsCanceled)
                return; // the server is stopping (OpenConnections.AbortAll)
            turn += (int)Math.Min(read.Buffer.Length, EchoTurn.Bytes);
            bool clientDone = CopyToOutput(read, transport);
            // Flushing waits while the client is not reading and the output pipe is full, and
            // this loop stops reading meanwhile: backpressure bounded by the two pipes' limits.
            var flush = await transport.Output.FlushAsync();
            if (clientDone || flush.IsCompleted)
                return; // client FIN (everything read has been echoed) or the client went away
            if (turn >= EchoTurn.Bytes)
            {
                turn = 0;
                await lane.Yield();
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
