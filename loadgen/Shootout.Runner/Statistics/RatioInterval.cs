namespace Shootout.Runner.Statistics;

/// <summary>
/// One ratio over rounds: A/B taken side by side in each round (the two rows ran one after the other, so the
/// machine's drift over the run cancels), then summarised by the geometric mean of the rounds' ratios (ratios
/// multiply: 2× and ½× average to 1×, not 1.25×) and its 95% interval: a percentile bootstrap, expanded for few rounds
/// (<see cref="SmallSample"/>).
/// </summary>
/// <param name="Ratio">The geometric mean of the rounds' ratios.</param>
/// <param name="Low">The interval's lower end (null with a single round: one pair of rows has no spread to read).</param>
/// <param name="High">The interval's upper end.</param>
/// <param name="PerRound">Each round's ratio, in round order.</param>
internal sealed record RatioInterval(double Ratio, double? Low, double? High, IReadOnlyList<double> PerRound)
{
    /// <summary>The widest interval a ratio is reported as settled by: ±5% of the ratio.</summary>
    public const double TargetHalfWidth = 0.05;

    public int Rounds => PerRound.Count;

    public bool HasInterval => Low is not null && High is not null;

    /// <summary>The interval holds 1.0: the rounds cannot tell A from B.</summary>
    public bool SpansOne => HasInterval && Low <= 1.0 && High >= 1.0;

    /// <summary>The interval's larger distance from the ratio, as a fraction of it (0.05: ±5%).</summary>
    public double? HalfWidth => HasInterval ? Math.Max(High!.Value / Ratio - 1, 1 - Low!.Value / Ratio) : null;

    /// <summary>
    /// Rounds that would bring the half-width to <paramref name="target"/>, from the spread seen: an interval narrows
    /// as 1/√n, so n·(width/target)². Null when it is already there or there is no interval to read.
    /// </summary>
    public int? RoundsFor(double target = TargetHalfWidth) =>
        HalfWidth is { } width && width > target ? (int)Math.Ceiling(Rounds * (width / target) * (width / target) - 1e-9) : null;

    public static RatioInterval Of(IReadOnlyList<double> perRound)
    {
        if (perRound.Count == 0 || perRound.Any(r => !double.IsFinite(r) || r <= 0))
            throw new ArgumentException("ratios are positive and finite, at least one", nameof(perRound));
        double ratio = GeometricMean(perRound);
        if (perRound.Count < 2) return new RatioInterval(ratio, null, null, perRound);
        var (low, high) = Bootstrap.PercentileInterval(perRound, GeometricMean, SmallSample.ExpandedConfidence95(perRound.Count));
        return new RatioInterval(ratio, low, high, perRound);
    }

    public static double GeometricMean(IReadOnlyList<double> values) => Math.Exp(values.Average(Math.Log));
}
