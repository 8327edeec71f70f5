using System.Net.Sockets;

namespace Shootout.Fibers.Interop;

/// <summary>The errno values the pollers react to, and their translation to <see cref="SocketError"/> (one table for both).</summary>
internal static class Errno
{
    public const int EPERM = 1, ENOENT = 2, EBUSY = 16, ETIME = 62, EALREADY = 114;
    public const int EINTR = 4, EIO = 5, EAGAIN = 11, ENOMEM = 12, EINVAL = 22, ENFILE = 23, EMFILE = 24, EPIPE = 32, ENOSYS = 38;
    public const int ENOBUFS = 105, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTUNREACH = 113;
    public const int EINPROGRESS = 115, ECONNABORTED = 103, ECONNRESET = 104, ENETUNREACH = 101;
    public const int EADDRINUSE = 98, EADDRNOTAVAIL = 99, ECANCELED = 125, EPROTO = 71, ENETDOWN = 100;

    public static SocketError ToSocketError(int errno) => errno switch
    {
        ECONNRESET => SocketError.ConnectionReset,
        EPIPE => SocketError.Shutdown,
        ECONNREFUSED => SocketError.ConnectionRefused,
        ECONNABORTED => SocketError.ConnectionAborted,
        ETIMEDOUT => SocketError.TimedOut,
        ENOTCONN => SocketError.NotConnected,
        EHOSTUNREACH => SocketError.HostUnreachable,
        ENETUNREACH => SocketError.NetworkUnreachable,
        ENETDOWN => SocketError.NetworkDown,
        EADDRINUSE => SocketError.AddressAlreadyInUse,
        EADDRNOTAVAIL => SocketError.AddressNotAvailable,
        EMFILE or ENFILE => SocketError.TooManyOpenSockets,
        ENOBUFS or ENOMEM => SocketError.NoBufferSpaceAvailable,
        ECANCELED => SocketError.OperationAborted,
        EINVAL => SocketError.InvalidArgument,
        _ => SocketError.SocketError,
    };

    public static SocketException ToException(int errno) => new((int)ToSocketError(errno));
}
