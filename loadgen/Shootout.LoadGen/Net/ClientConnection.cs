using System.Net;
using System.Net.Sockets;

namespace Shootout.LoadGen.Net;

/// <summary>
/// One client TCP connection: connect, write, read, wait for the peer to close. The only type in the load
/// generator that touches sockets, so a cheaper transport (the project's netpoller) replaces it here alone.
/// Cancellation is by <see cref="Abort"/> rather than per-call tokens: a token registration per read would
/// cost more than the read itself at a million connections.
/// </summary>
internal sealed class ClientConnection : IDisposable
{
    private readonly Socket _socket;

    private ClientConnection(Socket socket) => _socket = socket;

    public static async ValueTask<ClientConnection> ConnectAsync(IPEndPoint endpoint, CancellationToken timeout)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, timeout).ConfigureAwait(false);
            return new ClientConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    /// <summary>Fills <paramref name="buffer"/> completely; throws <see cref="PeerClosedException"/> on EOF.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
            if (n == 0) throw new PeerClosedException();
            buffer = buffer[n..];
        }
    }

    /// <summary>Completes when the peer closes or resets the connection; stray bytes are discarded. Uses
    /// zero-byte reads, so an idle connection holds no receive buffer.</summary>
    public async Task WaitForPeerCloseAsync()
    {
        byte[]? scratch = null;
        while (true)
        {
            await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
            scratch ??= new byte[256];
            int n = await _socket.ReceiveAsync(scratch, SocketFlags.None).ConfigureAwait(false);
            if (n == 0) throw new PeerClosedException();
        }
    }

    /// <summary>Ends the connection at once; pending reads and writes fail.</summary>
    public void Abort()
    {
        try { _socket.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
        _socket.Dispose();
    }

    public void Dispose() => _socket.Dispose();
}

internal sealed class PeerClosedException() : IOException("the server closed the connection");
