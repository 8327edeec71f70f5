using System.Runtime.InteropServices;

namespace Shootout.Fibers.Interop;

/// <summary>
/// The libc calls both pollers make, as source-generated P/Invokes: sockets, descriptors, eventfd, memory
/// maps, the thread's settings, and syscall(2) for what glibc has no wrapper for. Each poller's own calls
/// (epoll_*, the io_uring syscalls) live in its platform layer. Every call that can fail records errno
/// (SetLastError), read back with <see cref="Marshal.GetLastPInvokeError"/>.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    // Flags and constants: Linux values, identical on x86-64 and arm64.
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

    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    public static readonly void* MapFailed = (void*)-1;

    // syscall(2) is variadic; with integer and pointer arguments the x86-64 and arm64 Linux calling
    // conventions pass them exactly as for a fixed signature.
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    public static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    public static int Errno => Marshal.GetLastPInvokeError();
}
