using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>A bar series: one value per category (null: not measured).</summary>
internal sealed record Series(string Name, IReadOnlyList<double?> Values);

/// <summary>A grouped bar chart, drawn the same way as SVG (report.html) and PNG (ScottPlot).</summary>
/// <remarks><paramref name="LogScale"/>: latencies span microseconds to seconds; on a linear axis p50 would vanish.</remarks>
internal sealed record Chart(string Slug, string Title, string Unit, IReadOnlyList<string> Categories, IReadOnlyList<Series> Series, bool LogScale = false);

/// <summary>
/// The bar charts of a run: memory per connection, connect rate, throughput (the latency spectrum and the
/// growth charts are <see cref="GrowthCharts"/>).
/// </summary>
internal static class Charts
{
    public static readonly string[] Palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#eeca3b"];

    /// <summary>Bar labels: short, whole numbers.</summary>
    public static string Short(double v) => v switch
    {
        >= 1e6 => (v / 1e6).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (v / 1e3).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "k",
        >= 10 => v.ToString("0", System.Globalization.CultureInfo.InvariantCulture),
        _ => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The axis: 0 to a round maximum, or (log scale) powers of ten around the values.</summary>
    public static (double Low, double High) Range(Chart chart)
    {
        var values = chart.Series.SelectMany(s => s.Values).OfType<double>().Where(v => !chart.LogScale || v > 0).ToList();
        if (chart.LogScale)
        {
            if (values.Count == 0) return (0, 1);
            double lo = Math.Floor(Math.Log10(values.Min())), hi = Math.Ceiling(Math.Log10(values.Max()));
            return (Math.Max(0, lo), Math.Max(hi, lo + 1));
        }
        double max = values.Count == 0 ? 1 : Math.Max(values.Max(), 1e-9);
        double p = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * p >= max) return (0, m * p);
        return (0, 10 * p);
    }

    /// <summary>Where a value sits on the chart's axis (log10 of it on a log scale).</summary>
    public static double Axis(Chart chart, double v) => chart.LogScale ? Math.Log10(Math.Max(v, 1)) : v;

    public static IReadOnlyList<Chart> For(RunSummary s)
    {
        var engines = s.Rows;
        var names = engines.Select(e => e.Label).ToList();
        // The quoted figures sit beside the measured rows in the memory chart, as user-space bytes.
        var memoryCategories = names.Concat(Reference.Points.Select(p => $"{p.Name} (quoted)")).ToList();
        var refs = Reference.Points.Select(p => (double?)p.Bytes).ToList();
        var none = Reference.Points.Select(_ => (double?)null).ToList();
        return
        [
            new Chart("memory", "Memory per idle connection", "bytes", memoryCategories,
            [
                new Series("user space", engines.Select(e => e.UserBytesPerConnection).Concat(refs).ToList()),
                new Series("kernel (slab)", engines.Select(e => e.KernelBytesPerConnection).Concat(none).ToList()),
            ]),
            new Chart("connect-rate", "Connect rate while ramping", "connections/s", names,
                [new Series("connections/s", engines.Select(e => e.ConnectRatePerSecond).ToList())]),
            new Chart("throughput", "Closed-loop throughput (idle connections still open)", "messages/s", names,
                [new Series("max msgs/s", engines.Select(e => e.MaxMsgsPerSecond).ToList())]),
            .. NeighboursReport.Charts(s),
        ];
    }
}
