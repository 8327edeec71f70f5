using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>
/// How cost grows, per row: the latency spectrum, memory against connections held with the fitted line
/// (slope = bytes per connection, intercept = fixed cost, R²), and each run second by second.
/// </summary>
internal static class GrowthCharts
{
    private const double MiB = 1024 * 1024, GiB = MiB * 1024;

    public static IReadOnlyList<XyChart> For(RunSummary s)
    {
        var rows = s.Rows.Select((r, i) => (Row: r, Color: Charts.Palette[i % Charts.Palette.Length])).ToList();
        return
        [
            Spectrum(s, rows),
            Growth("growth-user", "User-space memory against connections held (Σ RSS of the server processes), with the fitted line",
                rows, r => r.UserFit, p => p.UserBytes),
            Growth("growth-kernel", "Kernel memory against connections held (slab growth, both loopback ends), with the fitted line",
                rows, r => r.KernelFit, p => p.KernelBytes),
            Timeline("timeline-connections", "Connections held over each run", "connections", rows, p => p.Connections),
            Timeline("timeline-rss", "Σ RSS of the server processes over each run", "MiB", rows, p => p.RssBytes / MiB),
            Timeline("timeline-memavailable", "MemAvailable over each run", "GiB", rows, p => p.MemAvailableBytes / GiB),
            Cpu(rows),
        ];
    }

    private static XyChart Spectrum(RunSummary s, List<(EngineResult Row, string Color)> rows)
    {
        var series = rows.Where(r => r.Row.Echo is { Spectrum.Count: > 0 })
            .Select(r => new XySeries(r.Row.Label,
                r.Row.Echo!.Spectrum.Select(p => (PercentileAxis.At(p.Percentile), p.Micros)).ToList(), r.Color, Markers: true))
            .ToList();
        return new XyChart("latency", F($"Echo latency spectrum at {s.Settings.EchoRate:N0} msg/s (coordinated-omission corrected)"), "percentile", "µs",
            series, LogY: true, XTicks: PercentileAxis.Ticks, Css: "chart");
    }

    private static XyChart Growth(string slug, string title, List<(EngineResult Row, string Color)> rows,
        Func<EngineResult, LinearFit?> fit, Func<GrowthPoint, long> bytes)
    {
        var series = new List<XySeries>();
        foreach (var (row, color) in rows)
        {
            var points = row.Timeline.Growth;
            if (points.Count == 0) continue;
            series.Add(new XySeries(row.Label, points.Select(p => ((double)p.Connections, bytes(p) / MiB)).ToList(), color, Markers: true));
            if (fit(row) is { } f)
            {
                double maxX = points.Max(p => p.Connections);
                series.Add(new XySeries(F($"{row.Label} fit: {f.Slope:N0} B/conn + {f.Intercept / MiB:0.0} MiB, R² {f.RSquared:0.000}"),
                    [(0, f.Intercept / MiB), (maxX, f.At(maxX) / MiB)], color, Dashed: true));
            }
        }
        return new XyChart(slug, title, "connections held", "MiB", series);
    }

    private static XyChart Timeline(string slug, string title, string unit, List<(EngineResult Row, string Color)> rows, Func<TimePoint, double> value) =>
        new(slug, title, "seconds since the engine started", unit,
            rows.Where(r => r.Row.Timeline.Points.Count > 0)
                .Select(r => new XySeries(r.Row.Label, r.Row.Timeline.Points.Select(p => (p.Seconds, value(p))).ToList(), r.Color)).ToList(),
            Css: "chart timeline");

    /// <summary>CPU as cores busy (CPU seconds per second between samples): user solid, system dashed.</summary>
    private static XyChart Cpu(List<(EngineResult Row, string Color)> rows)
    {
        var series = new List<XySeries>();
        foreach (var (row, color) in rows)
        {
            var p = row.Timeline.Points;
            if (p.Count < 2) continue;
            var pairs = p.Zip(p.Skip(1)).Where(x => x.Second.Seconds > x.First.Seconds).ToList();
            // Cores busy over each interval: CPU seconds gained over wall seconds passed.
            List<(double, double)> Busy(Func<TimePoint, double> cpu) =>
                pairs.Select(x => (x.Second.Seconds, (cpu(x.Second) - cpu(x.First)) / (x.Second.Seconds - x.First.Seconds))).ToList();
            series.Add(new XySeries(row.Label + " user", Busy(t => t.CpuUserSeconds), color));
            series.Add(new XySeries(row.Label + " system", Busy(t => t.CpuSystemSeconds), color, Dashed: true));
        }
        return new XyChart("timeline-cpu", "CPU of the server processes over each run (user solid, system dashed)",
            "seconds since the engine started", "cores busy", series, Css: "chart timeline");
    }
}
