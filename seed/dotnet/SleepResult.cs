using System.Globalization;

namespace Shootout.Seed;

/// <summary>What a variant reached: tasks started, the most alive at once, how long starting them took, and the wall that stopped it short.</summary>
internal sealed record SleepResult(int Started, long PeakAlive, double StartSeconds, string? Wall = null)
{
    public static readonly TimeSpan Sleep = TimeSpan.FromSeconds(1);

    public string Line(string variant, int requested) => string.Create(CultureInfo.InvariantCulture,
        $"seed variant={variant} tasks={Started} requested={requested} peak_alive={PeakAlive} start_s={StartSeconds:0.00}") +
        (Wall is null ? "" : $" wall=\"{Wall.Replace('"', '\'')}\"");
}

/// <summary>Tasks alive now and the most at once; safe from any thread.</summary>
internal sealed class AliveCount
{
    private long _alive, _peak;

    public long Peak => Interlocked.Read(ref _peak);

    public void Enter()
    {
        long now = Interlocked.Increment(ref _alive);
        for (long p = Interlocked.Read(ref _peak); now > p; p = Interlocked.Read(ref _peak))
            if (Interlocked.CompareExchange(ref _peak, now, p) == p) break;
    }

    public void Leave() => Interlocked.Decrement(ref _alive);
}
