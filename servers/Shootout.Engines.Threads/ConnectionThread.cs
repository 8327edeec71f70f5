using System.Buffers;
using System.Net.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Threads;

/// <summary>Serves one connection on its own thread until the client closes it or the server stops.</summary>
internal sealed class ConnectionThread(Socket socket, EngineContext context, OpenConnections open)
{
    private const int BufferSize = 16 * 1024;

    // A lock-per-bucket pool rather than ArrayPool.Shared: the shared pool caches arrays per thread,
    // which with a thread per connection would pin a buffer to every connection that ever spoke.
    private static readonly ArrayPool<byte> Buffers = ArrayPool<byte>.Create(BufferSize, 4096);

    public void Run()
    {
        open.Add(socket);
        try
        {
            Echo();
        }
        catch (SocketException)
        {
            // Reset or broken pipe: this connection ends, nothing else does.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Abandon();
        }
    }

    /// <summary>Closes the socket and gives back its admission; also used when no thread could be started.</summary>
    public void Abandon()
    {
        open.Remove(socket);
        socket.Dispose();
        context.Gate.Exit();
    }

    private void Echo()
    {
        int idleMicros = context.Options.IdleTimeout is { } t ? (int)Math.Min(t.TotalMicroseconds, int.MaxValue) : -1;
        while (true)
        {
            // Wait for data without holding a buffer: an idle connection costs its thread and socket only.
            if (!socket.Poll(idleMicros, SelectMode.SelectRead))
            {
                context.Stats.OnRejected(RejectReason.IdleTimeout);
                return;
            }

            byte[] buffer = Buffers.Rent(BufferSize);
            try
            {
                int received = socket.Receive(buffer);
                if (received == 0)
                    return; // FIN: everything received so far has already been echoed.

                // A blocking send that waits while the client does not read is the backpressure:
                // this thread stops reading until the client drains, so nothing piles up here.
                socket.Send(buffer, 0, received, SocketFlags.None);
                context.Stats.OnEchoed(received);
            }
            finally
            {
                Buffers.Return(buffer);
            }
        }
    }
}
