using System.Net;
using System.Net.Sockets;

namespace Shootout.Server.Core;

/// <summary>The listening socket every engine starts from: same bind, backlog and SO_REUSEPORT handling.</summary>
public static class ListenSocket
{
    // Linux values, set raw: SocketOptionName.ReuseAddress sets SO_REUSEPORT too on Linux, which
    // would let a second server silently share a port it was never meant to share.
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;
    private const int SoReusePort = 15;

    /// <summary>
    /// The listen backlog when none is given: the most the kernel allows (net.core.somaxconn), as Go's net package
    /// asks for, and at least 4,096. A thread-per-connection server accepts slower than a burst of connects arrives:
    /// with 4,096 per copy, issue 26's 20,000 connects in a second overflowed two threads-engine copies' queues
    /// (nstat: 11,293 ListenDrops and 11,455 SYN retransmits in one run: handshakes completed by retransmits seconds
    /// later, their time charged to the connect latency); at somaxconn (16,384 here) none was dropped.
    /// </summary>
    public static int DefaultBacklog()
    {
        try
        {
            if (int.TryParse(File.ReadAllText("/proc/sys/net/core/somaxconn").Trim(), out int max))
                return Math.Max(4096, max);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return 4096;
    }

    /// <summary>Bound and listening, ready to accept.</summary>
    public static Socket Create(ServerOptions options)
    {
        var socket = CreateBound(new IPEndPoint(options.Bind, options.Port), options.ReusePort);
        socket.Listen(options.Backlog);
        return socket;
    }

    /// <summary>
    /// <paramref name="count"/> listening sockets on one port, SO_REUSEPORT siblings, so the kernel spreads
    /// new connections over them and each accepting thread has its own queue. SO_REUSEPORT is therefore
    /// always set; without --reuse-port the port is first checked to be free, so a second server on a
    /// taken port still fails as it would with one plain socket. With --port 0 the first socket's port is
    /// the one the others join.
    /// </summary>
    public static List<Socket> CreateSiblings(ServerOptions options, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (!options.ReusePort && options.Port != 0)
            CreateBound(new IPEndPoint(options.Bind, options.Port), reusePort: false).Dispose();
        var sockets = new List<Socket>(count);
        try
        {
            var shared = options with { ReusePort = true };
            sockets.Add(Create(shared));
            int port = ((IPEndPoint)sockets[0].LocalEndPoint!).Port;
            while (sockets.Count < count)
                sockets.Add(Create(shared with { Port = port }));
            return sockets;
        }
        catch
        {
            foreach (Socket socket in sockets)
                socket.Dispose();
            throw;
        }
    }

    /// <summary>Bound but not yet listening, for transports that call listen themselves.</summary>
    public static Socket CreateBound(EndPoint endPoint, bool reusePort)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Lets a restarted server rebind while old connections sit in TIME_WAIT.
            socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
            if (reusePort)
                socket.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
            socket.Bind(endPoint);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
