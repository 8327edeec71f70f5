using System.Runtime.InteropServices;

namespace Shootout.Runner.Machine;

/// <summary>The few libc calls .NET does not expose: sending a chosen signal, and the clock tick rate.</summary>
internal static partial class Native
{
    public const int SIGINT = 2, SIGKILL = 9, SIGTERM = 15, SIGCONT = 18, SIGSTOP = 19;
    private const int ScClkTck = 2;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

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
