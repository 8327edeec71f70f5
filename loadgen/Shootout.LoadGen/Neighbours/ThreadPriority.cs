using System.Runtime.InteropServices;

namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// Lowers the neighbours' process to a nice value (see <see cref="NeighboursPlan.NeighboursNice"/>). Linux keeps a
/// nice value per thread, and a new thread takes its creator's: so every thread that exists now is lowered, and
/// the event loops and pool threads started later inherit it.
/// </summary>
internal static partial class ThreadPriority
{
    private const int PrioProcess = 0;

    /// <summary>Null when every thread now runs at <paramref name="nice"/>; else why not.</summary>
    public static string? LowerEveryThread(int nice)
    {
        if (nice == 0) return null;
        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            if (!int.TryParse(Path.GetFileName(task), out int tid)) continue;
            // A thread that ended since the listing is gone (ESRCH): nothing to lower.
            if (SetPriority(PrioProcess, tid, nice) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != 3)
                return $"setpriority(thread {tid}, nice {nice}) failed: errno {errno}";
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int prio);
}
