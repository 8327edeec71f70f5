namespace Shootout.Runner.Statistics;

/// <summary>
/// The widening a percentile bootstrap needs over few values. Over n values a bootstrap sees only the spread those values
/// showed (its standard error is the sample's divided by n, not n − 1) and uses the normal's tails where Student's t belongs,
/// so at 5 rounds its "95%" interval covers about 85%. Hesterberg's expanded percentile interval ("What Teachers Should Know
/// About the Bootstrap", The American Statistician 69(4), 2015, §5.1) takes the bootstrap's quantiles at the level whose normal
/// quantile is √(n/(n−1))·t(n−1): at 5 rounds the 0.1% and 99.9% quantiles; at many rounds it tends to the plain 2.5% and 97.5%.
/// </summary>
internal static class SmallSample
{
    // Student's t, 0.975 quantile, 1 to 30 degrees of freedom (any statistics table).
    private static readonly double[] T975 =
    [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];

    /// <summary>The confidence to ask a percentile bootstrap of <paramref name="n"/> values for, so its interval is a 95% one.</summary>
    public static double ExpandedConfidence95(int n)
    {
        if (n < 2) throw new ArgumentOutOfRangeException(nameof(n), n, "an interval needs at least 2 values");
        int df = n - 1;
        // Past 30 degrees of freedom, t's first Cornish–Fisher term: 1.96 + (1.96³ + 1.96) / (4·df), within 0.003 of the table.
        double t = df <= T975.Length ? T975[df - 1] : 1.96 + (1.96 * 1.96 * 1.96 + 1.96) / (4.0 * df);
        return 2 * NormalCdf(Math.Sqrt(n / (double)df) * t) - 1;
    }

    /// <summary>Φ(z), the standard normal's distribution function.</summary>
    public static double NormalCdf(double z) => 0.5 * Erfc(-z / Math.Sqrt(2));

    // Numerical Recipes' erfc (Chebyshev fit, fractional error under 1.2e-7 everywhere).
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + 0.5 * z);
        double r = t * Math.Exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807
            + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? r : 2 - r;
    }
}
