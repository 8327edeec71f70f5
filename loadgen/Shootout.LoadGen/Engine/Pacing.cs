using System.Runtime.InteropServices;

namespace Shootout.LoadGen.Engine;

/// <summary>Sub-millisecond sleeps for the pacer thread. Thread.Sleep rounds to whole milliseconds, which
/// would add up to a millisecond to every scheduled send.</summary>
internal static partial class Pacing
{
    private const int PrSetTimerSlack = 29;

    [LibraryImport("libc", SetLastError = false)]
    private static partial int usleep(uint microseconds);

    [LibraryImport("libc", SetLastError = false)]
    private static partial int prctl(int option, nint arg2, nint arg3, nint arg4, nint arg5);

    /// <summary>Lets this thread's timers fire within ~10 µs instead of the default 50 µs slack.</summary>
    public static void TightenTimerSlack()
    {
        if (OperatingSystem.IsLinux())
            _ = prctl(PrSetTimerSlack, 10_000, 0, 0, 0);
    }

    public static void SleepMicros(long micros)
    {
        if (micros <= 0) return;
        if (OperatingSystem.IsLinux()) _ = usleep((uint)Math.Min(micros, 1_000_000));
        else Thread.Sleep(TimeSpan.FromTicks(micros * 10));
    }
}
