using System.Diagnostics;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

/// <summary>
/// Memory against load, sampled as the ramp goes: user space as Σ RSS of the server processes (so a fitted
/// line's intercept is their fixed cost), kernel as the slab's growth since the ramp began (the machine's
/// own slab is no cost of the engine's).
/// </summary>
internal readonly record struct GrowthPoint(long Connections, long UserBytes, long KernelBytes);

/// <summary>One second of an engine's run: connections held, Σ RSS, MemAvailable, CPU seconds so far.</summary>
internal readonly record struct TimePoint(
    double Seconds, long Connections, long RssBytes, long MemAvailableBytes, double CpuUserSeconds, double CpuSystemSeconds);

/// <summary>
/// What an engine's run looked like over time, for the growth and time-series charts. The ramp reports
/// each new count of connections held (it reads them anyway); the growth samples are taken then. A
/// sampler reads the servers' /proc and MemAvailable once a second for the whole run.
/// </summary>
internal sealed class EngineTimeline
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<GrowthPoint> _growth = [];
    private readonly List<TimePoint> _points = [];
    private readonly Lock _lock = new();
    private long _connections;
    private long? _baselineSlab;

    public IReadOnlyList<GrowthPoint> Growth { get { lock (_lock) return [.. _growth]; } }
    public IReadOnlyList<TimePoint> Points { get { lock (_lock) return [.. _points]; } }

    /// <summary>The servers' RSS and the kernel's slab before the ramp: the first sample, at no connection.</summary>
    public void Baseline(long rssBytes, long slabBytes)
    {
        lock (_lock)
        {
            _baselineSlab = slabBytes;
            _growth.Add(new GrowthPoint(0, rssBytes, 0));
        }
    }

    /// <summary>The ramp saw <paramref name="held"/> connections: one growth sample, when the count moved on.</summary>
    public void OnHeld(ServerFleet fleet, long held)
    {
        Interlocked.Exchange(ref _connections, held);
        lock (_lock)
        {
            if (_baselineSlab is not { } slab || (_growth.Count > 0 && _growth[^1].Connections == held)) return;
            if (fleet.Sample() is not { } s) return;
            _growth.Add(new GrowthPoint(held, s.RssBytes, MemInfo.SlabBytes() - slab));
        }
    }

    /// <summary>Adds a sample read elsewhere (a report of a run read back, a test).</summary>
    public void Add(GrowthPoint point)
    {
        lock (_lock) _growth.Add(point);
    }

    /// <inheritdoc cref="Add(GrowthPoint)"/>
    public void Add(TimePoint point)
    {
        lock (_lock) _points.Add(point);
    }

    /// <summary>Samples every second until <paramref name="stop"/>; the connections are the last count the ramp or the run reported.</summary>
    public async Task SampleAsync(ServerFleet fleet, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (fleet.Sample() is { } s)
                {
                    var point = new TimePoint(_clock.Elapsed.TotalSeconds, Interlocked.Read(ref _connections), s.RssBytes,
                        MemInfo.AvailableBytes() ?? 0, s.CpuUserSeconds, s.CpuSystemSeconds);
                    Add(point);
                }
                await Task.Delay(Every, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>A count of connections known outside the ramp (held, then zero once closed).</summary>
    public void Connections(long held) => Interlocked.Exchange(ref _connections, held);
}
