using System.Runtime.InteropServices;

namespace Shootout.Common;

/// <summary>
/// The per-process open-file limit (RLIMIT_NOFILE), which caps connections per process: how many the server
/// accepts before it closes new ones, and how many the load generator puts in one process before it starts
/// another. One rule for both: the soft limit less <see cref="Reserve"/>. Reading it never changes it;
/// a tool that wants the hard limit calls <see cref="RaiseSoftToHard"/> once, at start, on purpose.
/// </summary>
public static partial class FileLimit
{
    private const int RlimitNofile = 7;

    /// <summary>
    /// Descriptors kept back from connections: listeners, epoll and event descriptors, the metrics endpoint,
    /// agent pipes, and what the runtime itself opens (starting a thread needs some: a runtime that runs out
    /// while starting one aborts the process). 512 rather than 256: an abort costs the whole run, the extra
    /// 256 descriptors cost 1.3% of a 20,000 limit.
    /// </summary>
    public const int Reserve = 512;

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

    /// <summary>The soft limit (what `ulimit -n` shows), or null where the platform does not say.</summary>
    public static long? Soft() => Read() is { } l ? Clamp(l.Current) : null;

    /// <summary>The hard limit, the most <see cref="RaiseSoftToHard"/> can reach, or null where unknown.</summary>
    public static long? Hard() => Read() is { } l ? Clamp(l.Max) : null;

    /// <summary>Raises the soft limit to the hard one (an unprivileged process may) and returns the soft limit now.</summary>
    public static long? RaiseSoftToHard()
    {
        if (Read() is not { } l) return null;
        if (l.Current < l.Max && setrlimit(RlimitNofile, new RLimit { Current = l.Max, Max = l.Max }) == 0)
            return Clamp(l.Max);
        return Clamp(l.Current);
    }

    /// <summary>Connections this process can hold before it would run out of descriptors (unbounded where unknown).</summary>
    public static int ConnectionBudget() => Soft() is { } soft ? (int)Math.Clamp(soft - Reserve, 1, int.MaxValue) : int.MaxValue;

    private static RLimit? Read() =>
        OperatingSystem.IsLinux() && getrlimit(RlimitNofile, out var l) == 0 ? l : null;

    private static long Clamp(ulong v) => (long)Math.Min(v, long.MaxValue);
}
