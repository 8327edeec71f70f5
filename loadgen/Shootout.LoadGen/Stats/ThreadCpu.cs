using System.Globalization;

namespace Shootout.LoadGen.Stats;

/// <summary>
/// CPU time of this process's own threads by name, from /proc/self/task/*/stat (utime + stime, in clock
/// ticks of 1/100 s): how busy each event loop ("netpoll-N") and the pacer were; and from
/// /proc/self/task/*/schedstat how long each waited on a run queue for a CPU it wanted (the direct sign of
/// a generator starved by other processes). Read once a second by the pacer; a thread that is gone or a
/// /proc that is not there reads as nothing.
/// </summary>
internal sealed class ThreadCpu
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux ABI .NET runs on
    private readonly Dictionary<int, (string Name, long Ticks, long WaitNanos)> _last = new();
    private long _lastAt = Environment.TickCount64;

    /// <summary>Since the last call, by thread name: the share of one core each named thread used, and the
    /// share of the time it waited for one.</summary>
    public Dictionary<string, (double Cpu, double Wait)> Sample(Func<string, bool> wanted)
    {
        var result = new Dictionary<string, (double Cpu, double Wait)>();
        long now = Environment.TickCount64;
        double seconds = Math.Max(0.001, (now - _lastAt) / 1000.0);
        _lastAt = now;
        string[] tasks;
        try { tasks = Directory.GetDirectories("/proc/self/task"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return result; }
        foreach (var dir in tasks)
        {
            if (!int.TryParse(Path.GetFileName(dir), out int tid)) continue;
            if (Read(dir) is not { } t || !wanted(t.Name)) continue;
            if (_last.TryGetValue(tid, out var before))
            {
                var had = result.GetValueOrDefault(t.Name);
                result[t.Name] = (Math.Max(had.Cpu, (t.Ticks - before.Ticks) / TicksPerSecond / seconds),
                    Math.Max(had.Wait, (t.WaitNanos - before.WaitNanos) / 1e9 / seconds));
            }
            _last[tid] = t;
        }
        return result;
    }

    private static (string Name, long Ticks, long WaitNanos)? Read(string dir)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(dir, "stat"));
            int open = stat.IndexOf('('), close = stat.LastIndexOf(')');
            if (open < 0 || close < open) return null;
            string name = stat[(open + 1)..close];
            // After "pid (comm) ": state is field 3; utime and stime are fields 14 and 15.
            var fields = stat[(close + 2)..].Split(' ');
            if (fields.Length < 13) return null;
            long utime = long.Parse(fields[11], CultureInfo.InvariantCulture), stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
            // schedstat: time on a CPU, time waiting on a run queue (ns), timeslices.
            long wait = 0;
            var sched = File.ReadAllText(Path.Combine(dir, "schedstat")).Split(' ');
            if (sched.Length >= 2) long.TryParse(sched[1], NumberStyles.None, CultureInfo.InvariantCulture, out wait);
            return (name, utime + stime, wait);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { return null; }
    }
}
