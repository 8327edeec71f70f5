using Shootout.Runner.Statistics;

namespace Shootout.Runner.Tests;

/// <summary>
/// The bench's statistics on fixed data, against values published elsewhere: R's quantile(), the binomial distribution's
/// tables, the normal's and Student's t tables, and the bootstrap's known variance of a mean (Efron &amp; Tibshirani, An
/// Introduction to the Bootstrap, §5.2).
/// </summary>
public sealed class BenchStatisticsTests
{
    [Theory]
    // R: quantile(1:10, c(0.025, 0.5, 0.975)) gives 1.225, 5.5, 9.775 (type 7, its default).
    [InlineData(0.025, 1.225)]
    [InlineData(0.5, 5.5)]
    [InlineData(0.975, 9.775)]
    [InlineData(0, 1)]
    [InlineData(1, 10)]
    public void Quantiles_are_R_s_default_type_7(double p, double expected)
    {
        double[] oneToTen = [.. Enumerable.Range(1, 10).Select(i => (double)i)];
        Assert.Equal(expected, Quantile.OfSorted(oneToTen, p), 9);
    }

    [Fact]
    public void The_geometric_mean_of_ratios_treats_double_and_half_alike()
    {
        Assert.Equal(4, RatioInterval.GeometricMean([2, 8]), 12);
        Assert.Equal(1, RatioInterval.GeometricMean([2, 0.5]), 12);
        Assert.Equal(Math.Pow(1.1 * 1.2 * 1.3, 1.0 / 3), RatioInterval.GeometricMean([1.1, 1.2, 1.3]), 12);
    }

    [Fact]
    public void A_bootstrap_of_a_mean_of_ten_zeros_and_ten_ones_gives_the_binomial_s_quantiles()
    {
        // A resample's mean is Binomial(20, 1/2) / 20 exactly. From the binomial table, P(X <= 5) = 0.0207 and P(X <= 6) = 0.0577:
        // the 2.5% quantile is 6, and by symmetry the 97.5% one is 14. So the interval is [0.30, 0.70]; 10,000 resamples
        // estimate those tail shares to about ±0.0015, far from moving either end to the next value.
        double[] sample = [.. Enumerable.Repeat(0.0, 10), .. Enumerable.Repeat(1.0, 10)];
        var (low, high) = Bootstrap.PercentileInterval(sample, xs => xs.Average(), confidence: 0.95);
        Assert.Equal(0.30, low, 9);
        Assert.Equal(0.70, high, 9);
    }

    [Fact]
    public void A_bootstrap_of_a_mean_matches_its_normal_limit()
    {
        // The bootstrap distribution of a mean has standard deviation sigma/sqrt(n), sigma the sample's own (divided by n):
        // for 1..50, sqrt((50^2 - 1) / 12) / sqrt(50) = 2.041, so the 95% interval is near 25.5 -+ 1.96 x 2.041 = [21.5, 29.5].
        double[] sample = [.. Enumerable.Range(1, 50).Select(i => (double)i)];
        var (low, high) = Bootstrap.PercentileInterval(sample, xs => xs.Average());
        Assert.InRange(low, 21.5 - 0.3, 21.5 + 0.3);
        Assert.InRange(high, 29.5 - 0.3, 29.5 + 0.3);
    }

    [Theory]
    // Tables of the standard normal: Φ(0) = 0.5, Φ(1) = 0.8413, Φ(1.96) = 0.9750, Φ(-2.576) = 0.0050, Φ(3.09) = 0.9990.
    [InlineData(0, 0.5)]
    [InlineData(1, 0.8413)]
    [InlineData(1.96, 0.9750)]
    [InlineData(-2.576, 0.0050)]
    [InlineData(3.09, 0.9990)]
    public void The_normal_distribution_function_matches_its_table(double z, double expected)
    {
        Assert.Equal(expected, SmallSample.NormalCdf(z), 4);
    }

    [Fact]
    public void Few_rounds_widen_the_bootstrap_as_Hesterberg_s_expanded_percentile_interval_does()
    {
        // n = 5: t(4) = 2.776 (table), × √(5/4) = 3.104; 2Φ(3.104) − 1 = 0.9981: the 0.1% and 99.9% quantiles.
        Assert.Equal(0.9981, SmallSample.ExpandedConfidence95(5), 4);
        // n = 2: t(1) = 12.706 × √2 = 17.97: the whole range of the resamples.
        Assert.Equal(1, SmallSample.ExpandedConfidence95(2), 9);
        // Many rounds: back to the plain 95% (t → 1.96, √(n/(n−1)) → 1).
        Assert.Equal(0.95, SmallSample.ExpandedConfidence95(2_000), 3);
        Assert.Throws<ArgumentOutOfRangeException>(() => SmallSample.ExpandedConfidence95(1));
    }

    [Fact]
    public void The_same_rounds_always_give_the_same_interval()
    {
        // Five rounds' uring/epoll echo ratios of the kind the bench sees. The seed is fixed, so the interval is pinned. Its
        // justification: the logs have mean 0.0423 and standard deviation 0.0398 (divided by n); the expanded interval is
        // about exp(0.0423 -+ 3.104 x 0.0398 / sqrt(5)) = [0.987, 1.102] (a bootstrap's tails over 5 values are a little
        // shorter than the normal's), and it must lie inside the range of the rounds' ratios.
        double[] rounds = [1.05, 0.98, 1.10, 1.02, 1.07];
        var first = RatioInterval.Of(rounds);
        var again = RatioInterval.Of(rounds);
        Assert.Equal(first, again);
        Assert.Equal(1.0432, first.Ratio, 4);
        Assert.Equal(PinnedLow, first.Low!.Value, 4);
        Assert.Equal(PinnedHigh, first.High!.Value, 4);
        Assert.InRange(first.Low!.Value, rounds.Min(), 1.0432);
        Assert.InRange(first.High!.Value, 1.0432, rounds.Max());
    }

    private const double PinnedLow = 0.9879, PinnedHigh = 1.0939;

    [Fact]
    public void An_interval_that_holds_one_reads_no_difference()
    {
        var i = RatioInterval.Of([1.05, 0.95, 1.02, 0.97]);
        Assert.True(i.SpansOne);
        Assert.Equal(4, i.Rounds);
    }

    [Fact]
    public void One_round_has_a_ratio_but_no_interval()
    {
        var i = RatioInterval.Of([1.2]);
        Assert.Equal(1.2, i.Ratio, 12);
        Assert.False(i.HasInterval);
        Assert.Null(i.RoundsFor());
    }

    [Fact]
    public void The_rounds_a_five_percent_interval_needs_grow_with_the_square_of_its_width()
    {
        // Half-width 10% over 5 rounds: an interval narrows as 1/sqrt(n), so ±5% needs 5 x (10/5)^2 = 20 rounds.
        var wide = new RatioInterval(1.0, 0.9, 1.1, [0.9, 1.0, 1.1, 1.0, 1.0]);
        Assert.Equal(0.1, wide.HalfWidth!.Value, 9);
        Assert.Equal(20, wide.RoundsFor());
        var narrow = new RatioInterval(1.0, 0.98, 1.03, [1, 1, 1]);
        Assert.Null(narrow.RoundsFor());
    }

    [Fact]
    public void Ratios_must_be_positive()
    {
        Assert.Throws<ArgumentException>(() => RatioInterval.Of([]));
        Assert.Throws<ArgumentException>(() => RatioInterval.Of([1.0, 0.0]));
        Assert.Throws<ArgumentException>(() => RatioInterval.Of([1.0, double.NaN]));
    }
}
