using System.Runtime.InteropServices;

namespace Shootout.Netpoll.Interop;

/// <summary>
/// The few libc calls the netpoller needs, as source-generated P/Invokes. Every call that can fail
/// records errno (SetLastError), read back with <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    // Flags and constants: Linux values, identical on x86-64 and arm64.
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
    public const uint EPOLLEXCLUSIVE = 1u << 28, EPOLLET = 1u << 31;

    public const int SOCK_STREAM = 1, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int AF_INET = 2, AF_INET6 = 10;
    public const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int SOL_SOCKET = 1, SO_ERROR = 4, SO_LINGER = 13;
    public const int IPPROTO_TCP = 6, TCP_NODELAY = 1;
    public const int IPPROTO_IP = 0, IP_BIND_ADDRESS_NO_PORT = 24;
    public const int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0x800;
    public const int SHUT_WR = 1;
    public const int CLONE_FILES = 0x400;

    [LibraryImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, void* ev);

    [LibraryImport(Lib, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, void* events, int maxEvents, int timeoutMs);

    /// <summary>epoll_wait with a timespec timeout (Linux 5.11, glibc 2.35): nanoseconds instead of milliseconds.</summary>
    [LibraryImport(Lib, EntryPoint = "epoll_pwait2", SetLastError = true)]
    public static partial int EpollPwait2(int epfd, void* events, int maxEvents, Timespec* timeout, void* sigmask);

    /// <summary>prctl(PR_SET_TIMERSLACK, ns): how late the kernel may fire this thread's timers to batch wake-ups.</summary>
    public const int PR_SET_TIMERSLACK = 29;

    [LibraryImport(Lib, EntryPoint = "prctl", SetLastError = true)]
    public static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport(Lib, EntryPoint = "accept4", SetLastError = true)]
    public static partial int Accept4(int fd, void* addr, void* addrLen, int flags);

    [LibraryImport(Lib, EntryPoint = "socket", SetLastError = true)]
    public static partial int Socket(int domain, int type, int protocol);

    [LibraryImport(Lib, EntryPoint = "connect", SetLastError = true)]
    public static partial int Connect(int fd, void* addr, uint addrLen);

    [LibraryImport(Lib, EntryPoint = "bind", SetLastError = true)]
    public static partial int Bind(int fd, void* addr, uint addrLen);

    [LibraryImport(Lib, EntryPoint = "recv", SetLastError = true)]
    public static partial nint Recv(int fd, byte* buf, nuint len, int flags);

    [LibraryImport(Lib, EntryPoint = "send", SetLastError = true)]
    public static partial nint Send(int fd, byte* buf, nuint len, int flags);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint len);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint len);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint len);

    [LibraryImport(Lib, EntryPoint = "getsockopt", SetLastError = true)]
    public static partial int GetSockOpt(int fd, int level, int name, void* value, uint* len);

    /// <summary>unshare(CLONE_FILES): the calling thread gets a private copy of the descriptor table.</summary>
    [LibraryImport(Lib, EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    // fcntl is variadic; with int arguments the SysV x86-64 and AAPCS64 Linux calling conventions
    // pass them exactly like a fixed (int, int, int) signature.
    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int cmd, int arg);

    public static int Errno => Marshal.GetLastPInvokeError();
}
