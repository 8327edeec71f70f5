using System.Diagnostics;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// Where a worker's run stands, shared by the pacer and every connection: whether the measured clock has
/// started (in <c>echo</c> it starts once the initial connections are open), and whether the run is
/// draining its last messages or stopping.
/// </summary>
internal sealed class RunClock
{
    public static readonly long Frequency = Stopwatch.Frequency;

    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _measuring;
    private volatile bool _draining;
    private long _t0;

    /// <summary>When the worker's run started on its loops (before any connect); ticks count from here.</summary>
    public long Start { get; private set; } = Stopwatch.GetTimestamp();

    public void Begin() => Start = Stopwatch.GetTimestamp();

    public bool Measuring => _measuring;

    /// <summary>Stopwatch timestamp of measured second 0.</summary>
    public long T0 => Volatile.Read(ref _t0);

    public bool Draining => _draining;

    public bool Stopping => _stopping.IsCancellationRequested;

    public void StartMeasuring(long now)
    {
        Volatile.Write(ref _t0, now);
        _measuring = true;
    }

    public void Drain() => _draining = true;

    public void Stop() => _stopping.Cancel();

    /// <summary>Measured seconds at <paramref name="timestamp"/> (0 before the clock started).</summary>
    public double Seconds(long timestamp) => _measuring ? (double)(timestamp - T0) / Frequency : 0;

    public double SecondsSinceStart(long timestamp) => (double)(timestamp - Start) / Frequency;

    public long TimestampAt(double measuredSeconds) => T0 + (long)(measuredSeconds * Frequency);
}
