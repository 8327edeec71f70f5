using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// Context switches of some processes over a window, voluntary (a thread blocked) and involuntary (it was
/// preempted), from /proc/PID/task/TID/status. The kernel keeps them per thread, and a thread that exits takes
/// its counts with it (only the process itself can still ask, by getrusage). So every thread is read at the start
/// and the end, and the threads that start within the window (a thread-per-connection server's echo connections,
/// which end with the phase) are read every quarter second meanwhile: what such a thread did in its last quarter
/// second before exiting is not counted. A thread that lived through the window is counted exactly.
/// </summary>
internal sealed class ThreadSwitches : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);
    private readonly IReadOnlyList<int> _pids;
    private readonly Dictionary<(int Pid, int Tid), (long Voluntary, long Involuntary)> _first = [];
    private readonly Dictionary<(int Pid, int Tid), (long Voluntary, long Involuntary)> _last = [];
    private readonly HashSet<(int Pid, int Tid)> _started = [];
    private readonly Dictionary<int, int> _threadCounts = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;
    private (long Voluntary, long Involuntary)? _stopped;

    private ThreadSwitches(IReadOnlyList<int> pids)
    {
        _pids = pids;
        Read(every: true);
        foreach (var (thread, counts) in _last) _first[thread] = counts;
        _started.Clear();
        _polling = PollAsync();
    }

    public static ThreadSwitches Start(IReadOnlyList<int> pids) => new(pids);

    private async Task PollAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(Poll, _stop.Token).ConfigureAwait(false);
                lock (_last) Read(every: false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// Reads every thread (<paramref name="every"/>) or only those started since the window began. Listing a process's
    /// threads is itself work when it has a hundred thousand (a thread-per-connection server at scale), so between the
    /// ends of the window a process's threads are listed again only when its thread count moved; the new ones found are
    /// remembered and read every poll.
    /// </summary>
    private void Read(bool every)
    {
        foreach (int pid in _pids)
        {
            int? threads = every ? null : ThreadCount(pid);
            if (every || threads != _threadCounts.GetValueOrDefault(pid))
            {
                if (threads is { } count) _threadCounts[pid] = count;
                foreach (int tid in Tasks(pid))
                    if (every || !_first.ContainsKey((pid, tid))) _started.Add((pid, tid));
            }
            if (every) _threadCounts[pid] = ThreadCount(pid) ?? 0;
        }
        var toRead = every ? _started.Concat(_first.Keys).Distinct() : _started;
        foreach (var thread in toRead)
            if (Counts($"/proc/{thread.Pid}/task/{thread.Tid}") is { } counts)
                _last[thread] = counts;
    }

    private static IEnumerable<int> Tasks(int pid)
    {
        try
        {
            return Directory.EnumerateDirectories($"/proc/{pid}/task")
                .Select(task => int.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out int tid) ? tid : -1)
                .Where(tid => tid > 0).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // the process is gone
        }
    }

    /// <summary>The Threads: line of /proc/PID/status, or null when the process is gone.</summary>
    private static int? ThreadCount(int pid)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("Threads:", StringComparison.Ordinal)) return (int)Value(line);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }

    private static (long Voluntary, long Involuntary)? Counts(string task)
    {
        try
        {
            long voluntary = 0, involuntary = 0;
            foreach (string line in File.ReadLines(Path.Combine(task, "status")))
            {
                if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) voluntary = Value(line);
                else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)) involuntary = Value(line);
            }
            return (voluntary, involuntary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // it exited while being read: its last reading stands
        }
    }

    private static long Value(string line) => long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);

    /// <summary>Ends the window: every thread read once more; the switches made in it. Once ended, the same figures again.</summary>
    public async Task<(long Voluntary, long Involuntary)> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);
        lock (_last)
        {
            if (_stopped is { } stopped) return stopped;
            Read(every: true);
            long voluntary = 0, involuntary = 0;
            foreach (var (thread, last) in _last)
            {
                var first = _first.GetValueOrDefault(thread);
                voluntary += last.Voluntary - first.Voluntary;
                involuntary += last.Involuntary - first.Involuntary;
            }
            _stopped = (voluntary, involuntary);
            return (voluntary, involuntary);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
