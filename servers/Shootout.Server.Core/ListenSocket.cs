using System.Net;
using System.Net.Sockets;

namespace Shootout.Server.Core;

/// <summary>The listening socket every engine starts from: same bind, backlog and SO_REUSEPORT handling.</summary>
public static class ListenSocket
{
    // Linux values; SocketOptionName has no SO_REUSEPORT.
    private const int SolSocket = 1;
    private const int SoReusePort = 15;

    public static Socket Create(ServerOptions options) => Create(new IPEndPoint(options.Bind, options.Port), options.ReusePort, options.Backlog);

    public static Socket Create(EndPoint endPoint, bool reusePort, int backlog)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Lets a restarted server rebind while old connections sit in TIME_WAIT.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            if (reusePort)
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(endPoint);
            socket.Listen(backlog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
