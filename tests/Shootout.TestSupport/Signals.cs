using System.Runtime.InteropServices;

namespace Shootout.TestSupport;

/// <summary>POSIX signals to a process or to its whole process group.</summary>
public static partial class Signals
{
    public const int SigInt = 2, SigKill = 9, SigTerm = 15, SigCont = 18, SigStop = 19;

    /// <summary>Sends <paramref name="signal"/> to one process; false if it is gone.</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to every process in the group <paramref name="pgid"/>; false if none is left.</summary>
    public static bool SendToGroup(int pgid, int signal) => Kill(-pgid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
