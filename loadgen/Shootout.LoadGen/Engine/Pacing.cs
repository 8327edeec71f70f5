using System.Runtime.InteropServices;

namespace Shootout.LoadGen.Engine;

/// <summary>The pacer thread's sleep between turns (a millisecond while connections open, else 5 ms). The
/// thread keeps no send times any more (the loops do, <see cref="LoopSender"/>), so this needs no finer
/// resolution than usleep's.</summary>
internal static partial class Pacing
{
    [LibraryImport("libc", SetLastError = false)]
    private static partial int usleep(uint microseconds);

    public static void SleepMicros(long micros)
    {
        if (micros <= 0) return;
        if (OperatingSystem.IsLinux()) _ = usleep((uint)Math.Min(micros, 1_000_000));
        else Thread.Sleep(TimeSpan.FromTicks(micros * 10));
    }
}
