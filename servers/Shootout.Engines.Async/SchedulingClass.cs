using System.Runtime.InteropServices;

namespace Shootout.Engines.Async;

/// <summary>The calling thread's kernel scheduling class (sched_setscheduler(2)).</summary>
internal static partial class SchedulingClass
{
    private const int SCHED_IDLE = 5;

    /// <summary>
    /// Moves the calling thread into SCHED_IDLE: it runs when no thread of the normal class wants the core,
    /// and gives the core up as soon as one does. Lowering a thread's own class needs no privilege.
    /// </summary>
    public static bool TryEnterIdle(out int errno)
    {
        int priority = 0; // the only priority SCHED_IDLE has
        bool entered = SetScheduler(0, SCHED_IDLE, ref priority) == 0; // 0: the calling thread
        errno = entered ? 0 : Marshal.GetLastPInvokeError();
        return entered;
    }

    [LibraryImport("libc", EntryPoint = "sched_setscheduler", SetLastError = true)]
    private static partial int SetScheduler(int pid, int policy, ref int priority);
}
