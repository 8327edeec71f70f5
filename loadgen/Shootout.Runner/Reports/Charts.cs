using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>A bar series: one value per category (null: not measured).</summary>
internal sealed record Series(string Name, IReadOnlyList<double?> Values);

/// <summary>A grouped bar chart, drawn the same way as SVG (report.html) and PNG (ScottPlot).</summary>
/// <remarks><paramref name="LogScale"/>: latencies span microseconds to seconds; on a linear axis p50 would vanish.</remarks>
/// <paramref name="Stacked"/>: the series stack into one bar per category (user over system CPU).
internal sealed record Chart(string Slug, string Title, string Unit, IReadOnlyList<string> Categories, IReadOnlyList<Series> Series, bool LogScale = false,
    bool Stacked = false)
{
    /// <summary>Horizontal lines across the chart, labelled: figures quoted from elsewhere, not measured here.</summary>
    public IReadOnlyList<(string Label, double Value)> ReferenceLines { get; init; } = [];

    /// <summary>The values the axis must reach: each bar (or stack) and each reference line.</summary>
    public IEnumerable<double> Extent() => (Stacked
            ? Enumerable.Range(0, Categories.Count).Select(c => Series.Sum(s => Math.Max(0, s.Values[c] ?? 0))).Where(v => v > 0)
            : Series.SelectMany(s => s.Values).OfType<double>())
        .Concat(ReferenceLines.Select(l => l.Value));
}

/// <summary>
/// The bar charts of a run: memory per connection, connect rate, throughput (the latency spectrum and the
/// growth charts are <see cref="GrowthCharts"/>).
/// </summary>
internal static class Charts
{
    public static readonly string[] Palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#9d755d", "#eeca3b"];

    /// <summary>The axis: 0 to a round maximum, or (log scale) powers of ten around the values.</summary>
    public static (double Low, double High) Range(Chart chart)
    {
        var values = chart.Extent().Where(v => !chart.LogScale || v > 0).ToList();
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

    /// <summary>The question's /usr/bin/time made per message: user over system CPU µs per echoed message, one stack per row.</summary>
    private static IEnumerable<Chart> CpuPerMessage(RunSummary s)
    {
        if (!s.Rows.Any(r => r.CostAtRate is not null)) yield break;
        yield return new Chart("cpu-per-message", F($"Server CPU per echoed message at {s.Settings.EchoRate:N0} msg/s"), "µs per message",
            s.Rows.Select(r => r.Label).ToList(),
            [
                new Series("user", s.Rows.Select(r => r.CostAtRate?.UserMicros).ToList()),
                new Series("system", s.Rows.Select(r => r.CostAtRate?.SystemMicros).ToList()),
            ], Stacked: true);
    }

    public static IReadOnlyList<Chart> For(RunSummary s)
    {
        var engines = s.Rows;
        var names = engines.Select(e => e.Label).ToList();
        return
        [
            // The question's quoted figures are lines across the memory chart, labelled as quotes, not bars beside the measured rows.
            new Chart("memory", "Memory per idle connection", "bytes", names,
            [
                new Series("user space", engines.Select(e => e.UserBytesPerConnection).ToList()),
                new Series("kernel (slab)", engines.Select(e => e.KernelBytesPerConnection).ToList()),
            ])
            {
                ReferenceLines = Reference.Points.Select(p => (F($"{p.Name} {p.Bytes / 1024:0.0} KB (quoted)"), p.Bytes)).ToList(),
            },
            new Chart("connect-rate", "Connect rate while ramping", "connections/s", names,
                [new Series("connections/s", engines.Select(e => e.ConnectRatePerSecond).ToList())]),
            new Chart("throughput", "Closed-loop throughput (idle connections still open)", "messages/s", names,
                [new Series("max msgs/s", engines.Select(e => e.MaxMsgsPerSecond).ToList())]),
            .. CpuPerMessage(s),
            .. NeighboursReport.Charts(s),
        ];
    }
}
