using System.Runtime.InteropServices;

namespace Shootout.Engines.Uring.Interop;

/// <summary>
/// The libc calls around the ring: the three io_uring syscalls (through syscall(2): glibc has no
/// wrappers), mmap for the rings, and the few socket and eventfd calls made outside the ring.
/// </summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    // The io_uring syscalls were added after the per-architecture tables were unified: the same on x86-64 and arm64.
    private const long SysIoUringSetup = 425, SysIoUringEnter = 426, SysIoUringRegister = 427;

    public const int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;
    public const int EFD_CLOEXEC = 0x80000;
    public const int IPPROTO_TCP = 6, TCP_NODELAY = 1, SOL_SOCKET = 1, SO_LINGER = 13;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;

    // syscall(2) is variadic; with integer and pointer arguments the x86-64 and arm64 Linux calling
    // conventions pass them exactly as for a fixed signature.
    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    public static int IoUringSetup(uint entries, IoUringParams* p) =>
        (int)Syscall(SysIoUringSetup, entries, (long)p, 0, 0, 0, 0);

    public static int IoUringEnter(int fd, uint toSubmit, uint minComplete, uint flags, void* arg, nuint argSize) =>
        (int)Syscall(SysIoUringEnter, fd, toSubmit, minComplete, flags, (long)arg, (long)argSize);

    public static int IoUringRegister(int fd, uint opcode, void* arg, uint count) =>
        (int)Syscall(SysIoUringRegister, fd, opcode, (long)arg, count, 0, 0);

    [LibraryImport(Lib, EntryPoint = "mmap", SetLastError = true)]
    public static partial void* Mmap(void* addr, nuint length, int prot, int flags, int fd, long offset);

    [LibraryImport(Lib, EntryPoint = "munmap", SetLastError = true)]
    public static partial int Munmap(void* addr, nuint length);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initval, int flags);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint len);

    [LibraryImport(Lib, EntryPoint = "setsockopt", SetLastError = true)]
    public static partial int SetSockOpt(int fd, int level, int name, void* value, uint len);

    public static int Errno => Marshal.GetLastPInvokeError();

    public static readonly void* MapFailed = (void*)-1;
}
