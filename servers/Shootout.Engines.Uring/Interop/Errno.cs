using System.Net.Sockets;

namespace Shootout.Engines.Uring.Interop;

/// <summary>The errno values the engine reacts to, and their translation to <see cref="SocketError"/>.</summary>
internal static class Errno
{
    public const int EPERM = 1, EINTR = 4, EAGAIN = 11, ENOMEM = 12, EBUSY = 16, EINVAL = 22, ENFILE = 23, EMFILE = 24;
    public const int EPIPE = 32, ENOSYS = 38, ETIME = 62, EPROTO = 71, ENOBUFS = 105, ECONNABORTED = 103, ECONNRESET = 104;
    public const int ETIMEDOUT = 110, ECANCELED = 125, ENOENT = 2, EALREADY = 114;

    public static SocketException ToException(int errno) => new((int)(errno switch
    {
        ECONNRESET => SocketError.ConnectionReset,
        EPIPE => SocketError.Shutdown,
        ECONNABORTED => SocketError.ConnectionAborted,
        ETIMEDOUT => SocketError.TimedOut,
        ECANCELED => SocketError.OperationAborted,
        ENOBUFS or ENOMEM => SocketError.NoBufferSpaceAvailable,
        EINVAL => SocketError.InvalidArgument,
        _ => SocketError.SocketError,
    }));
}
