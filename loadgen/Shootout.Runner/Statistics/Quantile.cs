namespace Shootout.Runner.Statistics;

/// <summary>Order statistics of a sample: quantiles as R's default (type 7) computes them, and the median.</summary>
internal static class Quantile
{
    /// <summary>
    /// The <paramref name="p"/> quantile of <paramref name="sorted"/> (ascending): linear interpolation between the order
    /// statistics at h = (n − 1)·p, R's <c>quantile(x, p)</c> (type 7, also NumPy's and Excel's default), so a figure can be
    /// checked against any of them.
    /// </summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) throw new ArgumentException("no values", nameof(sorted));
        if (p is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(p), p, "a quantile is between 0 and 1");
        double h = (sorted.Count - 1) * p;
        int below = (int)Math.Floor(h);
        int above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (h - below) * (sorted[above] - sorted[below]);
    }

    public static double Median(IEnumerable<double> values) => OfSorted(values.Order().ToArray(), 0.5);
}
