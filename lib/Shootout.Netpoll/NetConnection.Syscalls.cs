using Shootout.Fibers.Interop;

namespace Shootout.Netpoll;

/// <summary>The connection's non-blocking syscalls: what they return, and what that says about readiness.</summary>
public sealed unsafe partial class NetConnection
{
    private const int Pending = int.MinValue;

    /// <returns>Bytes received (0 = end of stream), <see cref="Pending"/> or -errno.</returns>
    private int TryRecv(Span<byte> destination)
    {
        while (true)
        {
            nint n;
            fixed (byte* p = destination)
                n = Libc.Recv(_fd, p, (nuint)destination.Length, 0);
            if (n > 0)
            {
                // A short read drained the socket: the next arrival raises a new edge, so there is
                // no need to spend a recv on EAGAIN to learn that. Not so for a FIN that came with
                // the data: its edge is already spent, so once the peer has closed, read on to 0.
                if (n < destination.Length && (_state & State.PeerClosed) == 0)
                    _state &= ~State.Readable;
                LastActiveMs = _loop.NowMs;
                return (int)n;
            }
            if (n == 0)
                return 0;
            int errno = Libc.Errno;
            if (errno == Errno.EINTR)
                continue;
            if (errno == Errno.EAGAIN)
            {
                _state &= ~State.Readable;
                return Pending;
            }
            return -errno;
        }
    }

    /// <returns>Bytes sent (fewer than asked: the socket buffer is full) or -errno.</returns>
    /// <remarks>Reads errnos as <see cref="TryRecv"/> does (EINTR again, EAGAIN clears the readiness flag);
    /// two plain loops rather than a shared helper, since each is the hot path of its direction.</remarks>
    private int TrySend(ReadOnlySpan<byte> data)
    {
        int total = 0;
        while (total < data.Length)
        {
            nint n;
            fixed (byte* p = data)
                n = Libc.Send(_fd, p + total, (nuint)(data.Length - total), Libc.MSG_NOSIGNAL);
            if (n >= 0)
            {
                total += (int)n;
                continue;
            }
            int errno = Libc.Errno;
            if (errno == Errno.EINTR)
                continue;
            if (errno == Errno.EAGAIN)
            {
                _state &= ~State.Writable;
                return total;
            }
            return -errno;
        }
        return total;
    }

    /// <summary>The outcome of a non-blocking connect once the socket turned writable: 0, EINPROGRESS or an errno.</summary>
    private int ConnectError()
    {
        int error = 0;
        uint len = sizeof(int);
        if (Libc.GetSockOpt(_fd, Libc.SOL_SOCKET, Libc.SO_ERROR, &error, &len) != 0)
            error = Libc.Errno;
        return error;
    }

    /// <summary>SO_LINGER 0: close sends a reset and leaves nothing in TIME_WAIT.</summary>
    private static void SetLingerZero(int fd)
    {
        int* linger = stackalloc int[2] { 1, 0 }; // struct linger { l_onoff = 1, l_linger = 0 }
        Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_LINGER, linger, 2 * sizeof(int));
    }

    /// <summary>TCP_NODELAY: an echo is a request/response protocol, Nagle would only delay it.</summary>
    internal static void SetNoDelay(int fd)
    {
        int one = 1;
        Libc.SetSockOpt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, &one, sizeof(int));
    }
}
