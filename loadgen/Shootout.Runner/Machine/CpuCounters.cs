namespace Shootout.Runner.Machine;

/// <summary>
/// What a set of processes used over a window, from their own counters in /proc: CPU seconds in user space and in
/// the kernel (/proc/PID/stat utime, stime: every thread's, the exited ones' too), and context switches, voluntary
/// (it blocked) and involuntary (it was preempted), from <see cref="ThreadSwitches"/>.
/// </summary>
internal readonly record struct CpuCounters(double UserSeconds, double SystemSeconds, long Voluntary, long Involuntary)
{
    public static CpuCounters operator -(CpuCounters a, CpuCounters b) =>
        new(a.UserSeconds - b.UserSeconds, a.SystemSeconds - b.SystemSeconds, a.Voluntary - b.Voluntary, a.Involuntary - b.Involuntary);

    public CpuCounters Times(double factor) =>
        new(UserSeconds * factor, SystemSeconds * factor, (long)Math.Round(Voluntary * factor), (long)Math.Round(Involuntary * factor));

    /// <summary>CPU seconds so far summed over <paramref name="pids"/> (no switches); a process that is gone counts nothing.</summary>
    public static CpuCounters Cpu(IEnumerable<int> pids)
    {
        double user = 0, system = 0;
        foreach (int pid in pids)
        {
            if (ProcessSample.Read(pid) is not { } s) continue;
            user += s.CpuUserSeconds;
            system += s.CpuSystemSeconds;
        }
        return new CpuCounters(user, system, 0, 0);
    }
}
