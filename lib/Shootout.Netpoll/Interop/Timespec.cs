namespace Shootout.Netpoll.Interop;

/// <summary>struct timespec on 64-bit Linux: two 64-bit fields, seconds and nanoseconds.</summary>
internal struct Timespec
{
    public long Seconds;
    public long Nanoseconds;

    public static Timespec FromNanoseconds(long nanoseconds) =>
        new() { Seconds = nanoseconds / 1_000_000_000, Nanoseconds = nanoseconds % 1_000_000_000 };
}
