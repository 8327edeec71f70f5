namespace Shootout.Runner.Run;

/// <summary>
/// A least-squares line y = Slope·x + Intercept through samples of cost against load, and how well it
/// fits (R², 1 = every sample on the line). For memory against connections held, the slope is the bytes
/// each connection costs and the intercept the fixed cost.
/// </summary>
internal sealed record LinearFit(double Slope, double Intercept, double RSquared, int Points)
{
    /// <summary>Null with fewer than two distinct x values (nothing to fit a slope to).</summary>
    public static LinearFit? Of(IReadOnlyList<(double X, double Y)> samples)
    {
        int n = samples.Count;
        if (n < 2) return null;
        double meanX = samples.Average(s => s.X), meanY = samples.Average(s => s.Y);
        double sxx = 0, sxy = 0, syy = 0;
        foreach (var (x, y) in samples)
        {
            sxx += (x - meanX) * (x - meanX);
            sxy += (x - meanX) * (y - meanY);
            syy += (y - meanY) * (y - meanY);
        }
        if (sxx <= 0) return null;
        double slope = sxy / sxx, intercept = meanY - slope * meanX;
        double residual = samples.Sum(s => Math.Pow(s.Y - (slope * s.X + intercept), 2));
        // Every y the same: the flat line through them is exact.
        double r2 = syy <= 0 ? 1 : 1 - residual / syy;
        return new LinearFit(slope, intercept, r2, n);
    }

    public double At(double x) => Slope * x + Intercept;
}
