using Shootout.Netpoll;

namespace Shootout.LoadGen.Net;

/// <summary>The few I/O shapes the load needs on top of <see cref="NetConnection"/>; all run in fibers.</summary>
internal static class ClientIo
{
    /// <summary>Fills <paramref name="buffer"/> completely; throws <see cref="PeerClosedException"/> on EOF.</summary>
    public static async ValueTask ReadExactlyAsync(NetConnection connection, Memory<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = await connection.ReadAsync(buffer);
            if (n == 0) throw new PeerClosedException();
            buffer = buffer[n..];
        }
    }
}

internal sealed class PeerClosedException() : IOException("the server closed the connection");
