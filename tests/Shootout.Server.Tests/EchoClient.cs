using System.Net;
using System.Net.Sockets;

namespace Shootout.Server.Tests;

/// <summary>A blocking test client with timeouts on every call, so a broken server fails a test instead of hanging it.</summary>
public sealed class EchoClient : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    public Socket Socket { get; }

    public EchoClient(IPEndPoint endPoint)
    {
        Socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            ReceiveTimeout = (int)Timeout.TotalMilliseconds,
            SendTimeout = (int)Timeout.TotalMilliseconds,
        };
        Socket.Connect(endPoint);
    }

    public void Send(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
            data = data[Socket.Send(data)..];
    }

    /// <summary>Reads exactly count bytes; fails if the server closes first.</summary>
    public byte[] Receive(int count)
    {
        var buffer = new byte[count];
        int got = 0;
        while (got < count)
        {
            int n = Socket.Receive(buffer.AsSpan(got));
            if (n == 0)
                throw new IOException($"server closed after {got} of {count} bytes");
            got += n;
        }
        return buffer;
    }

    public byte[] Echo(ReadOnlySpan<byte> data)
    {
        Send(data);
        return Receive(data.Length);
    }

    /// <summary>True once the server has closed its side (read returns 0), false if data came instead.</summary>
    public bool ReadsEndOfStream()
    {
        var one = new byte[1];
        return Socket.Receive(one) == 0;
    }

    /// <summary>True once the server has closed the connection, by a FIN or a reset.</summary>
    public bool ClosedByServer()
    {
        try
        {
            return ReadsEndOfStream();
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown)
        {
            return true;
        }
    }

    /// <summary>Sends a byte, then expects the server's FIN or reset: true if it has closed the connection.</summary>
    public bool ClosedByServerAfterSend()
    {
        try
        {
            Send("x"u8);
        }
        catch (SocketException)
        {
            return true;
        }
        return ClosedByServer();
    }

    public void Dispose() => Socket.Dispose();
}
