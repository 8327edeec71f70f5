using System.Diagnostics;

namespace Shootout.Seed;

/// <summary>
/// One .NET <see cref="Thread"/> per task (default stack), each in <see cref="Thread.Sleep(TimeSpan)"/>.
/// Stops starting threads at a wall: one the OS will not start (pid_max, threads-max, max_map_count,
/// memory), or MemAvailable under the reserve (checked every 1,000 threads).
/// </summary>
internal static class SleepingThreads
{
    public static SleepResult Run(int tasks, long reserveBytes)
    {
        var alive = new AliveCount();
        var threads = new List<Thread>(tasks);
        string? wall = null;
        var start = Stopwatch.StartNew();
        for (int i = 0; i < tasks; i++)
        {
            if (i % 1000 == 0 && MemAvailable.Bytes() is { } available && available < reserveBytes)
            {
                wall = $"memory: MemAvailable {available >> 20} MiB, under the {reserveBytes >> 20} MiB reserve";
                break;
            }
            var thread = new Thread(() =>
            {
                alive.Enter();
                Thread.Sleep(SleepResult.Sleep);
                alive.Leave();
            });
            try
            {
                thread.Start();
            }
            catch (Exception e) when (e is OutOfMemoryException or ThreadStartException)
            {
                wall = $"thread start failed: {e.Message}";
                break;
            }
            threads.Add(thread);
        }
        double startSeconds = start.Elapsed.TotalSeconds;
        foreach (var t in threads) t.Join();
        return new SleepResult(threads.Count, alive.Peak, startSeconds, wall);
    }
}

internal static class MemAvailable
{
    public static long? Bytes()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
            if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return null;
    }
}
