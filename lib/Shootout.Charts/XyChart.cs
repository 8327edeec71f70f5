namespace Shootout.Charts;

/// <summary>
/// An x/y chart, drawn the same way as SVG (both report.html files) and PNG (the runner's ScottPlot charts).
/// <paramref name="LogY"/>: the y axis in powers of ten (latencies). <paramref name="XTicks"/>: named positions instead of numbers
/// (the percentiles of a spectrum). <paramref name="Css"/>: the svg's classes.
/// </summary>
public sealed record XyChart(string Slug, string Title, string XUnit, string YUnit, IReadOnlyList<XySeries> Series,
    bool LogY = false, IReadOnlyList<(double At, string Label)>? XTicks = null, string Css = "chart growth", string? Note = null)
{
    public IEnumerable<(double X, double Y)> AllPoints =>
        Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogY || p.Y > 0));

    /// <summary>Where y sits on the axis (log10 on a log axis).</summary>
    public double AxisY(double y) => LogY ? Math.Log10(Math.Max(y, 1e-9)) : y;

    public (double Low, double High) RangeX()
    {
        if (XTicks is { Count: > 0 } t) return (t.Min(x => x.At), t.Max(x => x.At));
        var xs = AllPoints.Select(p => p.X).DefaultIfEmpty(0).ToList();
        return Nice(Math.Min(0, xs.Min()), xs.Max());
    }

    public (double Low, double High) RangeY()
    {
        var ys = AllPoints.Select(p => p.Y).ToList();
        if (LogY)
        {
            if (ys.Count == 0) return (0, 1);
            double lo = Math.Floor(Math.Log10(ys.Min())), hi = Math.Ceiling(Math.Log10(ys.Max()));
            return (lo, Math.Max(hi, lo + 1));
        }
        return Nice(Math.Min(0, ys.DefaultIfEmpty(0).Min()), ys.DefaultIfEmpty(1).Max());
    }

    /// <summary>Ticks on the y axis: powers of ten, or five even steps.</summary>
    public IReadOnlyList<(double At, string Label)> TicksY()
    {
        var (lo, hi) = RangeY();
        if (LogY) return Enumerable.Range((int)lo, (int)(hi - lo) + 1).Select(d => ((double)d, ChartText.Short(Math.Pow(10, d)))).ToList();
        return Enumerable.Range(0, 5).Select(i => lo + (hi - lo) * i / 4).Select(v => (v, ChartText.Short(v))).ToList();
    }

    public IReadOnlyList<(double At, string Label)> TicksX()
    {
        if (XTicks is { Count: > 0 } t) return t;
        var (lo, hi) = RangeX();
        return Enumerable.Range(0, 6).Select(i => lo + (hi - lo) * i / 5).Select(v => (v, ChartText.Short(v))).ToList();
    }

    /// <summary>A round range around [low, high] for a linear axis.</summary>
    private static (double, double) Nice(double low, double high)
    {
        if (high <= low) high = low + 1;
        double span = high - low, p = Math.Pow(10, Math.Floor(Math.Log10(span)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * p >= span) return (low, low + m * p);
        return (low, low + 10 * p);
    }
}
