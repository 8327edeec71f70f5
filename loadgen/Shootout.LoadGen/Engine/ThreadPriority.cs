using System.Runtime.InteropServices;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// A scenario's nice value (<see cref="Plan.LoadPlan.Nice"/>): the heavy neighbours' lowered, a light client's raised
/// where it may (docs/fairness.md). Linux keeps a nice value per thread, and a new thread takes its creator's: a process
/// of its own sets every thread that exists now, and the event loops and pool threads started later inherit it.
/// </summary>
internal static partial class ThreadPriority
{
    private const int PrioProcess = 0, Esrch = 3;

    /// <summary>
    /// Every thread to <paramref name="nice"/> if this process may (a negative value needs CAP_SYS_NICE); the
    /// value the threads now have: <paramref name="nice"/>, or 0 when refused.
    /// </summary>
    public static int TrySetEveryThread(int nice)
    {
        if (SetEveryThread(nice) is null) return nice;
        SetEveryThread(0); // refused (EACCES without CAP_SYS_NICE): all back to where they were
        return 0;
    }

    /// <summary>Sets each thread listed now; the first refusal, or null.</summary>
    private static (int Tid, int Errno)? SetEveryThread(int nice)
    {
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(task), out int tid)) continue;
            // A thread that ended since the listing is gone (ESRCH): nothing to set.
            if (SetPriority(PrioProcess, tid, nice) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != Esrch)
                return (tid, errno);
        }
        return null;
    }

    /// <summary>
    /// The calling thread to <paramref name="nice"/> if it may (a negative value needs CAP_SYS_NICE): a scenario's
    /// event loops and pacer, each from its own thread. The value the thread now has: <paramref name="nice"/>, or 0.
    /// </summary>
    public static int TrySetCurrentThread(int nice) => SetPriority(PrioProcess, GetTid(), nice) == 0 ? nice : 0;

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
