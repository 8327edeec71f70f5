using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// What a set of processes has used so far, from their own counters in /proc: CPU seconds in user space and in
/// the kernel (/proc/PID/stat utime, stime: every thread's, the exited ones' too), and context switches, voluntary
/// (it blocked) and involuntary (it was preempted), summed over /proc/PID/task/*/status. A thread that exited takes
/// its switches with it: the kernel keeps them only for the process itself (getrusage), not in /proc.
/// </summary>
internal readonly record struct CpuCounters(double UserSeconds, double SystemSeconds, long Voluntary, long Involuntary)
{
    public static CpuCounters operator -(CpuCounters a, CpuCounters b) =>
        new(a.UserSeconds - b.UserSeconds, a.SystemSeconds - b.SystemSeconds, a.Voluntary - b.Voluntary, a.Involuntary - b.Involuntary);

    public static CpuCounters operator +(CpuCounters a, CpuCounters b) =>
        new(a.UserSeconds + b.UserSeconds, a.SystemSeconds + b.SystemSeconds, a.Voluntary + b.Voluntary, a.Involuntary + b.Involuntary);

    public CpuCounters Times(double factor) =>
        new(UserSeconds * factor, SystemSeconds * factor, (long)Math.Round(Voluntary * factor), (long)Math.Round(Involuntary * factor));

    /// <summary>Summed over <paramref name="pids"/>; a process that is gone counts nothing.</summary>
    public static CpuCounters Read(IEnumerable<int> pids)
    {
        var total = new CpuCounters();
        foreach (int pid in pids) total += Of(pid);
        return total;
    }

    private static CpuCounters Of(int pid)
    {
        if (ProcessSample.Read(pid) is not { } cpu) return default;
        long voluntary = 0, involuntary = 0;
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                    {
                        if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) voluntary += Value(line);
                        else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)) involuntary += Value(line);
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The thread exited while being read.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return new CpuCounters(cpu.CpuUserSeconds, cpu.CpuSystemSeconds, voluntary, involuntary);
    }

    private static long Value(string line) => long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
}
