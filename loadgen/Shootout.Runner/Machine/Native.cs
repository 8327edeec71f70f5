using System.Runtime.InteropServices;

namespace Shootout.Runner.Machine;

/// <summary>The few libc calls .NET does not expose: sending a chosen signal, the clock tick rate, a thread's CPUs.</summary>
internal static partial class Native
{
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;
    private const int ScClkTck = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int tid, nint size, ulong[] mask);

    /// <summary>
    /// Puts every thread of this process on <paramref name="cpus"/> (sched_setaffinity per thread: it is a thread's
    /// property, and threads started later inherit it from the thread that starts them). False if one refused.
    /// </summary>
    public static bool PinThisProcess(Shootout.Common.CpuSet cpus)
    {
        var mask = new ulong[16]; // cpu_set_t: 1024 CPUs
        foreach (int cpu in cpus.Cpus.Where(c => c < 1024)) mask[cpu / 64] |= 1UL << (cpu % 64);
        bool all = true;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
            if (int.TryParse(Path.GetFileName(task), out int tid) && SchedSetAffinity(tid, mask.Length * sizeof(ulong), mask) != 0)
                all = false;
        return all;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();

    [LibraryImport("libc", EntryPoint = "rename", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int RenameC(string from, string to);

    /// <summary>rename(2): atomically replaces <paramref name="to"/>, also when both are symlinks to directories.</summary>
    public static bool Rename(string from, string to) => RenameC(from, to) == 0;

    public static bool Signal(int pid, int signal) => Kill(pid, signal) == 0;

    public static bool IsRoot => GetEuid() == 0;

    /// <summary>Clock ticks per second, the unit of utime/stime in /proc/PID/stat.</summary>
    public static readonly double ClockTicks = SysConf(ScClkTck) is > 0 and var t ? t : 100;
}
