using System.Runtime.InteropServices;

namespace Shootout.LoadGen.Agents;

/// <summary>The per-process open-file limit, which caps connections per process and so decides how many
/// agent processes a run needs.</summary>
internal static partial class FileLimit
{
    private const int RlimitNofile = 7;

    /// <summary>File descriptors kept back for the runtime, the metrics listener, pipes and the like.</summary>
    public const int Headroom = 256;

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>Raises the soft limit to the hard one and returns it.</summary>
    public static long RaiseToHard()
    {
        if (!OperatingSystem.IsLinux()) return 1024;
        if (getrlimit(RlimitNofile, out var l) != 0) return 1024;
        if (l.Current < l.Max)
        {
            var raised = new RLimit { Current = l.Max, Max = l.Max };
            if (setrlimit(RlimitNofile, raised) == 0) l.Current = l.Max;
        }
        return (long)Math.Min(l.Current, int.MaxValue);
    }

    /// <summary>How many connections one process may hold.</summary>
    public static int ConnectionBudget() => (int)Math.Max(64, RaiseToHard() - Headroom);
}
