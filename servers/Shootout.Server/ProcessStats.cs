namespace Shootout.Server;

/// <summary>
/// This process's RSS, CPU time and thread count, read straight from /proc/self: O(1) per read,
/// unlike listing /proc/self/fd, which at a million connections is a million entries. The two files
/// stay open and are re-read from offset 0, so a scrape needs no new descriptor: metrics keep
/// working while the process is out of descriptors, which is when they matter.
/// </summary>
internal static class ProcessStats
{
    private static readonly Microsoft.Win32.SafeHandles.SafeFileHandle Stat = File.OpenHandle("/proc/self/stat");
    private static readonly Microsoft.Win32.SafeHandles.SafeFileHandle Statm = File.OpenHandle("/proc/self/statm");

    // USER_HZ, the unit of utime/stime in /proc/self/stat, is 100 on every Linux build .NET runs on.
    private const double TicksPerSecond = 100;

    public readonly record struct Sample(long ResidentBytes, double UserSeconds, double SystemSeconds, int Threads);

    public static Sample Read()
    {
        var (user, system, threads) = ReadStat();
        return new Sample(ResidentBytes(), user, system, threads);
    }

    public static long ResidentBytes()
    {
        // statm: size resident shared text lib data dt, in pages.
        string statm = ReadAll(Statm);
        return long.Parse(statm.Split(' ')[1]) * Environment.SystemPageSize;
    }

    private static (double User, double System, int Threads) ReadStat()
    {
        // The command name (field 2) may hold spaces, so count fields from the closing parenthesis.
        string stat = ReadAll(Stat);
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14, stime 15, num_threads 20.
        return (long.Parse(fields[11]) / TicksPerSecond, long.Parse(fields[12]) / TicksPerSecond, int.Parse(fields[17]));
    }

    private static string ReadAll(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        Span<byte> buffer = stackalloc byte[1024]; // both files are a few hundred bytes
        int length = RandomAccess.Read(file, buffer, 0);
        return System.Text.Encoding.ASCII.GetString(buffer[..length]);
    }
}
