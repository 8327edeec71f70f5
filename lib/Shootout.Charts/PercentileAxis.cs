namespace Shootout.Charts;

/// <summary>
/// HdrHistogram's percentile plot: x is log10(1/(1 - percentile)), so each nine gets the same room and the
/// tail is not squeezed into the right edge (p90 at 1, p99 at 2, …; the maximum at 5).
/// </summary>
public static class PercentileAxis
{
    public const double Max = 5;

    public static double At(double percentile) => percentile >= 100 ? Max : Math.Log10(1 / (1 - percentile / 100));

    /// <summary>Named ticks for <see cref="XyChart.XTicks"/>: p0, p50, p90 … p99.99, max.</summary>
    public static IReadOnlyList<(double At, string Label)> Ticks { get; } =
        [(0, "p0"), (At(50), "p50"), (1, "p90"), (2, "p99"), (3, "p99.9"), (4, "p99.99"), (Max, "max")];
}
