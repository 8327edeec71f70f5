using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>One reading of a process from /proc: resident memory, threads, CPU seconds so far.</summary>
internal readonly record struct ProcessSample(long RssBytes, int Threads, double CpuUserSeconds, double CpuSystemSeconds)
{
    public static ProcessSample operator +(ProcessSample a, ProcessSample b) =>
        new(a.RssBytes + b.RssBytes, a.Threads + b.Threads, a.CpuUserSeconds + b.CpuUserSeconds, a.CpuSystemSeconds + b.CpuSystemSeconds);

    /// <summary>Null when the process is gone.</summary>
    public static ProcessSample? Read(int pid)
    {
        try
        {
            long rss = 0;
            int threads = 0;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line) * 1024;
                else if (line.StartsWith("Threads:", StringComparison.Ordinal)) threads = (int)Kb(line);
            }
            if (ProcStat.Read(pid) is not { } stat) return null;
            return new ProcessSample(rss, threads, stat[ProcStat.UserTicks] / Native.ClockTicks, stat[ProcStat.SystemTicks] / Native.ClockTicks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static long Kb(string line) =>
        long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
