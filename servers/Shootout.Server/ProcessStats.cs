namespace Shootout.Server;

/// <summary>
/// This process's RSS, CPU time and thread count, read straight from /proc/self: O(1) per read,
/// unlike listing /proc/self/fd, which at a million connections is a million entries.
/// </summary>
internal static class ProcessStats
{
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
        string statm = File.ReadAllText("/proc/self/statm");
        return long.Parse(statm.Split(' ')[1]) * Environment.SystemPageSize;
    }

    private static (double User, double System, int Threads) ReadStat()
    {
        // The command name (field 2) may hold spaces, so count fields from the closing parenthesis.
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state): utime is field 14, stime 15, num_threads 20.
        return (long.Parse(fields[11]) / TicksPerSecond, long.Parse(fields[12]) / TicksPerSecond, int.Parse(fields[17]));
    }
}
