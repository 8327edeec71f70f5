using System.Net;
using System.Net.Sockets;
using Shootout.Fibers.Interop;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>Outgoing connections, for clients such as the load generator.</summary>
public sealed unsafe partial class EventLoop
{
    /// <summary>
    /// Opens a non-blocking TCP connection from this loop (call it inside a fiber of this loop).
    /// Completes when connected; throws <see cref="SocketException"/> (e.g. ConnectionRefused,
    /// AddressNotAvailable when ephemeral ports run out: spread over 127.0.0.x destinations).
    /// </summary>
    /// <param name="remote">Where to connect.</param>
    /// <param name="local">Optional local address to bind first (port 0: any), e.g. to spread a client
    /// over 127.0.0.x sources.</param>
    /// <param name="timeout">Give up after this long with <see cref="SocketError.TimedOut"/> (null: the
    /// kernel's own limit, minutes). Implemented as a deadline that is cleared once connected.</param>
    public ValueTask<NetConnection> ConnectAsync(IPEndPoint remote, IPEndPoint? local = null, TimeSpan? timeout = null)
    {
        CheckThread();
        int family = remote.AddressFamily == AddressFamily.InterNetworkV6 ? Libc.AF_INET6 : Libc.AF_INET;
        int fd = Libc.Socket(family, Libc.SOCK_STREAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw Errno.ToException(Libc.Errno);
        NetConnection.SetNoDelay(fd);
        int errno = StartConnect(fd, remote, local, out bool connected);
        if (errno != 0)
        {
            Libc.Close(fd);
            throw Errno.ToException(errno);
        }
        var connection = new NetConnection(this, fd, writable: connected);
        int rc = Register(connection);
        if (rc != 0)
        {
            Libc.Close(fd);
            throw Errno.ToException(rc);
        }
        if (connected)
            return new ValueTask<NetConnection>(connection);
        if (timeout is not null)
            connection.SetDeadline(timeout);
        return connection.BeginConnect();
    }

    /// <summary>bind (if asked) and a non-blocking connect: 0 when connected or in progress, else the errno.</summary>
    private static int StartConnect(int fd, IPEndPoint remote, IPEndPoint? local, out bool connected)
    {
        connected = false;
        byte* addr = stackalloc byte[SockAddr.MaxSize];
        Span<byte> span = new(addr, SockAddr.MaxSize);
        if (local is not null)
        {
            // A source address without a port: let connect() pick the port per destination (not bind() per
            // address alone), so each source address offers a full port range towards every destination.
            if (local.Port == 0)
                SetBindAddressNoPort(fd);
            if (Libc.Bind(fd, addr, (uint)SockAddr.Write(local, span)) != 0)
                return Libc.Errno;
        }
        if (Libc.Connect(fd, addr, (uint)SockAddr.Write(remote, span)) == 0)
        {
            connected = true;
            return 0;
        }
        int errno = Libc.Errno;
        return errno == Errno.EINPROGRESS ? 0 : errno;
    }

    private static void SetBindAddressNoPort(int fd)
    {
        int one = 1;
        Libc.SetSockOpt(fd, Libc.IPPROTO_IP, Libc.IP_BIND_ADDRESS_NO_PORT, &one, sizeof(int));
    }
}
