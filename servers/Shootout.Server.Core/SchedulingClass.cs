using System.Runtime.InteropServices;

namespace Shootout.Server.Core;

/// <summary>The calling thread's kernel scheduling class (sched_setscheduler(2)), for an engine's busy connections.</summary>
public static partial class SchedulingClass
{
    private const int SCHED_OTHER = 0;
    private const int SCHED_IDLE = 5;

    /// <summary>
    /// Moves the calling thread into SCHED_IDLE: it runs when no thread of the normal class wants the core,
    /// and gives the core up as soon as one does. Lowering a thread's own class needs no privilege.
    /// </summary>
    public static bool TryEnterIdle(out int errno) => TrySet(SCHED_IDLE, out errno);

    /// <summary>
    /// Moves the calling thread back into the normal class. Leaving SCHED_IDLE needs no privilege either
    /// while the thread's nice value is within its RLIMIT_NICE (as root, always).
    /// </summary>
    public static bool TryLeaveIdle(out int errno) => TrySet(SCHED_OTHER, out errno);

    private static bool TrySet(int policy, out int errno)
    {
        int priority = 0; // the only priority SCHED_OTHER and SCHED_IDLE have
        bool set = SetScheduler(0, policy, ref priority) == 0; // 0: the calling thread
        errno = set ? 0 : Marshal.GetLastPInvokeError();
        return set;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int priority);
}
