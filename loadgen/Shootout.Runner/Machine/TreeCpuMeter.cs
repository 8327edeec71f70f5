using System.Diagnostics;

namespace Shootout.Runner.Machine;

/// <summary>
/// The CPU a process and everything it starts (the load generator and its agents) use over a phase, as a
/// share of the CPUs they may run on: read from /proc/PID/stat (utime + stime) every tenth of a second, each
/// process's last reading kept, so an agent that exits before the end still counts what it used. Finding the tree
/// reads every process's stat in /proc, so it is done once a second: the meter runs on the generator's CPUs while
/// the generator measures, and an agent lives for the whole phase.
/// </summary>
internal sealed class TreeCpuMeter : IAsyncDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private const int PollsPerTreeScan = 10;

    /// <summary>
    /// The process's own start-up (runtime, JIT, connecting) is not the phase's load: readings from this long after the
    /// start count, in a phase long enough.
    /// </summary>
    private static readonly TimeSpan StartUp = TimeSpan.FromSeconds(1);

    private readonly int _root;
    private readonly int _cpus;
    private readonly Dictionary<int, double> _lastSeconds = [];
    private List<int> _tree = [];
    private int _polls;
    private readonly List<(TimeSpan At, double Seconds)> _readings = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;

    private TreeCpuMeter(int root, int cpus)
    {
        _root = root;
        _cpus = Math.Max(1, cpus);
        _polling = PollAsync();
    }

    /// <param name="cpus">How many CPUs the tree may run on.</param>
    public static TreeCpuMeter Start(int root, int cpus) => new(root, cpus);

    private async Task PollAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Read();
                await Task.Delay(Poll, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Read()
    {
        if (_polls++ % PollsPerTreeScan == 0) _tree = [.. ProcessTree.Descendants(_root).Prepend(_root)];
        foreach (int pid in _tree)
            if (ProcessSample.Read(pid) is { } s)
                _lastSeconds[pid] = s.CpuUserSeconds + s.CpuSystemSeconds;
        lock (_readings) _readings.Add((_clock.Elapsed, _lastSeconds.Values.Sum()));
    }

    /// <summary>Stops reading; the share (0..1) of its CPUs the tree used over the phase, or null with fewer than two readings.</summary>
    public async Task<double?> StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);
        lock (_readings)
        {
            if (_readings.Count < 2) return null;
            var last = _readings[^1];
            var first = last.At >= 2 * StartUp ? _readings.First(r => r.At >= StartUp) : _readings[0];
            double wall = (last.At - first.At).TotalSeconds;
            return wall <= 0 ? null : Math.Max(0, last.Seconds - first.Seconds) / (wall * _cpus);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
