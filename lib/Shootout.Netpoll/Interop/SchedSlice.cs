using System.Runtime.InteropServices;
using Shootout.Fibers.Interop;

namespace Shootout.Netpoll.Interop;

/// <summary>
/// The calling thread's scheduler slice (Linux 6.12+, EEVDF's custom slice: sched_setattr with
/// sched_runtime under SCHED_OTHER, no privilege needed). A thread with a slice shorter than the
/// others' is picked first when it wakes, instead of waiting out the running thread's slice
/// (0.75–3 ms): a loop that sleeps until a scheduled send then runs at that time even if another thread
/// of the process (or of another process) holds the CPU.
/// </summary>
internal static unsafe partial class SchedSlice
{
    private const int PRIO_PROCESS = 0;

    /// <summary>struct sched_attr, first version (SCHED_ATTR_SIZE_VER0, 48 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SchedAttr
    {
        public uint Size;
        public uint Policy;
        public ulong Flags;
        public int Nice;
        public uint Priority;
        public ulong Runtime;
        public ulong Deadline;
        public ulong Period;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int pid, SchedAttr* attr, uint flags);

    [LibraryImport("libc", EntryPoint = "sched_getscheduler", SetLastError = true)]
    private static partial int GetScheduler(int pid);

    [LibraryImport("libc", EntryPoint = "getpriority", SetLastError = true)]
    private static partial int GetPriority(int which, uint who);

    /// <summary>Sets the calling thread's slice; returns 0 or the errno (EINVAL on a kernel without custom slices).
    /// A thread under another policy (chrt: SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE) is left as it is:
    /// setting the slice would put it back under SCHED_OTHER, and a real-time thread among real-time
    /// neighbours would then wait for all of them.</summary>
    public static int TrySet(TimeSpan slice)
    {
        if (GetScheduler(0) != 0)
            return Errno.EINVAL;
        long number = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 314,
            Architecture.Arm64 => 274,
            _ => -1,
        };
        if (number < 0)
            return Errno.ENOSYS;
        var attr = new SchedAttr
        {
            Size = (uint)sizeof(SchedAttr),
            Policy = 0, // SCHED_OTHER
            Nice = GetPriority(PRIO_PROCESS, 0), // keep the thread's nice value (raising it would need privilege)
            Runtime = (ulong)(slice.Ticks * 100),
        };
        return Syscall(number, 0, &attr, 0) == 0 ? 0 : Libc.Errno;
    }
}
