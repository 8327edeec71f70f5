using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring.Interop;

/// <summary>
/// The three io_uring syscalls, through syscall(2) (glibc has no wrappers): this poller's half of the
/// platform layer; the calls both pollers make are <see cref="Libc"/>. Each returns -1 and sets errno on failure.
/// </summary>
internal static unsafe class IoUringSyscalls
{
    // The io_uring syscalls were added after the per-architecture tables were unified: the same on x86-64 and arm64.
    private const long SysIoUringSetup = 425, SysIoUringEnter = 426, SysIoUringRegister = 427;

    public static int Setup(uint entries, IoUringParams* p) =>
        (int)Libc.Syscall(SysIoUringSetup, entries, (long)p, 0, 0, 0, 0);

    public static int Enter(int fd, uint toSubmit, uint minComplete, uint flags, void* arg, nuint argSize) =>
        (int)Libc.Syscall(SysIoUringEnter, fd, toSubmit, minComplete, flags, (long)arg, (long)argSize);

    public static int Register(int fd, uint opcode, void* arg, uint count) =>
        (int)Libc.Syscall(SysIoUringRegister, fd, opcode, (long)arg, count, 0, 0);
}
