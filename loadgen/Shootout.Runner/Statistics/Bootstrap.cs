namespace Shootout.Runner.Statistics;

/// <summary>
/// The percentile bootstrap (Efron &amp; Tibshirani, <i>An Introduction to the Bootstrap</i>, ch. 13): resample the
/// sample with replacement many times, compute the statistic of each resample, and take the middle 95% of those
/// values as the interval. It assumes no distribution for the figures, which on a shared machine have none worth
/// assuming. The generator is seeded, so the same figures always give the same interval (and a test can pin it).
/// </summary>
internal static class Bootstrap
{
    public const int Resamples = 10_000;
    public const int Seed = 23;

    /// <summary>The central <paramref name="confidence"/> interval of <paramref name="statistic"/> over resamples of <paramref name="sample"/>.</summary>
    public static (double Low, double High) PercentileInterval(
        IReadOnlyList<double> sample, Func<double[], double> statistic, double confidence = 0.95, int resamples = Resamples, int seed = Seed)
    {
        if (sample.Count == 0) throw new ArgumentException("no values", nameof(sample));
        // 1: the whole range of the resamples' statistics (what an expanded interval over 2 values asks for).
        if (confidence is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "a confidence is above 0, at most 1");
        // System.Random with a seed keeps its original algorithm in every .NET version: the same draws everywhere.
        var random = new Random(seed);
        var resample = new double[sample.Count];
        var statistics = new double[resamples];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < resample.Length; i++) resample[i] = sample[random.Next(sample.Count)];
            statistics[r] = statistic(resample);
        }
        Array.Sort(statistics);
        double tail = (1 - confidence) / 2;
        return (Quantile.OfSorted(statistics, tail), Quantile.OfSorted(statistics, 1 - tail));
    }
}
