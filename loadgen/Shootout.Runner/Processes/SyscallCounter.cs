using System.Globalization;
using Shootout.Common;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>
/// Every syscall some processes enter, counted by the kernel: <c>perf stat -e raw_syscalls:sys_enter</c> (a tracepoint
/// counted, not sampled: each syscall costs a counter increment), over the cgroup that holds them
/// (<c>-a -G NAME</c>: one counter per CPU, counting only while a task of the cgroup runs there) or, where there is none,
/// over their threads (<c>-p PIDS</c>). perf prints a count every <see cref="IntervalMs"/> ms; the first line says it is
/// attached, and only what is counted after it belongs to the window, so the window starts when a start method returns.
/// </summary>
/// <remarks>
/// With <c>-p</c>, perf opens one counter per thread of the processes and follows the threads they start, exited ones
/// included (their counts go to the parent's counter). One descriptor per thread: a set of processes with more threads
/// than the open-file limit allows (a thread-per-connection server holding thousands) cannot be counted that way, which
/// is why the cgroup comes first.
/// </remarks>
internal sealed class SyscallCounter : IDisposable
{
    private const int IntervalMs = 250;
    private static readonly TimeSpan AttachPoll = TimeSpan.FromMilliseconds(50);
    private readonly Lock _lock = new();
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ChildProcess? _perf;
    private bool _first = true;
    private long _count;

    private SyscallCounter()
    {
    }

    /// <summary>Null when perf is not on PATH.</summary>
    public static string? Perf =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "perf")).FirstOrDefault(File.Exists);

    /// <summary>
    /// Counts the tasks of <paramref name="cgroup"/> (a cgroup2 path, as <c>perf -G</c> takes it) on every CPU (perf itself on
    /// <paramref name="cpus"/>, off the servers' cores) and returns once it counts; null, with the reason, when it cannot.
    /// </summary>
    public static Task<(SyscallCounter? Counter, string? Why)> StartAsync(string cgroup, CpuSet? cpus, string logPath) =>
        StartPerfAsync(["-a", "-e", "raw_syscalls:sys_enter", "-G", cgroup], cpus, logPath);

    /// <summary>
    /// Attaches to the threads of <paramref name="pids"/> (perf itself on <paramref name="cpus"/>, off the servers' cores) and
    /// returns once it counts; null, with the reason, when it cannot (no perf, too many threads, perf refused).
    /// </summary>
    public static Task<(SyscallCounter? Counter, string? Why)> StartAsync(IReadOnlyList<int> pids, int threads, long fileLimit,
        CpuSet? cpus, string logPath)
    {
        if (threads + 100 > fileLimit)
            return Task.FromResult<(SyscallCounter?, string?)>(
                (null, $"perf needs a descriptor per thread and the servers have {threads:N0} (open-file limit {fileLimit:N0})"));
        return StartPerfAsync(["-e", "raw_syscalls:sys_enter", "-p", string.Join(',', pids)], cpus, logPath);
    }

    private static async Task<(SyscallCounter? Counter, string? Why)> StartPerfAsync(IReadOnlyList<string> what, CpuSet? cpus, string logPath)
    {
        if (Perf is not { } perf) return (null, "perf is not installed (Debian package linux-perf)");
        var counter = new SyscallCounter();
        counter._perf = ChildProcess.Start("perf-syscalls", perf,
            ["stat", "-x,", "-I", IntervalMs.ToString(CultureInfo.InvariantCulture), "--log-fd", "1", .. what],
            logPath, counter.Line, cpus);
        // perf that cannot count (no tracepoint access, a wrapper without a perf for this kernel) exits at once.
        var bound = TimeSpan.FromSeconds(10);
        for (var waited = TimeSpan.Zero; !counter._attached.Task.IsCompleted && !counter._perf.HasExited && waited < bound; waited += AttachPoll)
            await Task.WhenAny(counter._attached.Task, Task.Delay(AttachPoll)).ConfigureAwait(false);
        if (counter._attached.Task.IsCompleted) return (counter, null);
        counter._perf.DrainOutput();
        string why = $"perf stat did not start counting: {counter._perf.LastLines(2)}";
        counter.Dispose();
        return (null, why);
    }

    /// <summary>A line of <c>perf stat -x, -I</c>: <c>TIME,COUNT,UNIT,EVENT,…</c>; COUNT is "&lt;not counted&gt;" when no thread ran.</summary>
    private void Line(string line)
    {
        var fields = line.Split(',');
        if (fields.Length < 4 || !fields[3].StartsWith("raw_syscalls:sys_enter", StringComparison.Ordinal)) return;
        long count = long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
        lock (_lock)
        {
            // The first interval ran before the window began.
            if (!_first) _count += count;
            _first = false;
        }
        _attached.TrySetResult();
    }

    /// <summary>Stops perf (SIGINT: it prints the last, partial interval) and returns what it counted in the window.</summary>
    public async Task<long?> StopAsync()
    {
        if (_perf is null) return null;
        await _perf.StopAsync(Native.SIGINT, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _perf.DrainOutput();
        bool clean = _perf.HasExited && _perf.ExitCode is 0 or 130 or -2;
        lock (_lock) return clean || _count > 0 ? _count : null;
    }

    public void Dispose() => _perf?.Dispose();
}
