using System.Runtime.InteropServices;

namespace Shootout.Engines.Threads;

/// <summary>
/// The blocking socket calls a connection thread makes, straight to libc. .NET's Socket would do
/// the same syscalls, but its first Poll and Receive on each thread allocate, and a thread that
/// allocates once keeps a GC allocation context of kilobytes for as long as it lives.
/// </summary>
internal static partial class Libc
{
    public const int EINTR = 4, EAGAIN = 11, EMFILE = 24, ENFILE = 23, ECONNABORTED = 103;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int SHUT_RDWR = 2;
    public const short POLLIN = 0x001;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    public static unsafe partial int Accept4(int fd, void* addr, void* addrLen, int flags);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    public static unsafe partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    public static unsafe partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    public static unsafe partial int Poll(PollFd* fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    public static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "dup", SetLastError = true)]
    public static partial int Dup(int fd);

    public static int LastError => Marshal.GetLastPInvokeError();

    /// <summary>True when the process cannot open one more descriptor (EMFILE/ENFILE).</summary>
    public static bool OutOfDescriptors()
    {
        int probe = Dup(0);
        if (probe >= 0)
        {
            Close(probe);
            return false;
        }
        return LastError is EMFILE or ENFILE;
    }
}
