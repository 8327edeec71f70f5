using System.Runtime.InteropServices;

namespace Shootout.Netpoll.Interop;

/// <summary>
/// The epoll calls and flags: this poller's half of the platform layer (the calls both pollers make are
/// <see cref="Shootout.Fibers.Interop.Libc"/>). Every call that can fail records errno (SetLastError).
/// </summary>
internal static unsafe partial class Epoll
{
    private const string Lib = "libc";

    // Linux values, identical on x86-64 and arm64.
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
    public const uint EPOLLEXCLUSIVE = 1u << 28, EPOLLET = 1u << 31;

    [LibraryImport(Lib, EntryPoint = "epoll_create1", SetLastError = true)]
    public static partial int EpollCreate1(int flags);

    [LibraryImport(Lib, EntryPoint = "epoll_ctl", SetLastError = true)]
    public static partial int EpollCtl(int epfd, int op, int fd, void* ev);

    [LibraryImport(Lib, EntryPoint = "epoll_wait", SetLastError = true)]
    public static partial int EpollWait(int epfd, void* events, int maxEvents, int timeoutMs);

    /// <summary>epoll_wait with a timespec timeout (Linux 5.11, glibc 2.35): nanoseconds instead of milliseconds.</summary>
    [LibraryImport(Lib, EntryPoint = "epoll_pwait2", SetLastError = true)]
    public static partial int EpollPwait2(int epfd, void* events, int maxEvents, Timespec* timeout, void* sigmask);
}
