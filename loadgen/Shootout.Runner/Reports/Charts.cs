using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>A bar series: one value per category (null: not measured).</summary>
internal sealed record Series(string Name, IReadOnlyList<double?> Values);

/// <summary>A grouped bar chart, drawn the same way as SVG (report.html) and PNG (ScottPlot).</summary>
internal sealed record Chart(string Slug, string Title, string Unit, IReadOnlyList<string> Categories, IReadOnlyList<Series> Series);

/// <summary>The four charts of a run: memory per connection, connect rate, throughput, latency percentiles.</summary>
internal static class Charts
{
    public static readonly string[] Palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2"];

    public static IReadOnlyList<Chart> For(RunSummary s)
    {
        var engines = s.Engines;
        var names = engines.Select(e => e.Engine).ToList();
        // The seed's reference points sit beside the engines in the memory chart, as user-space bytes.
        var memoryCategories = names.Concat(Reference.Points.Select(p => $"{p.Name} (seed)")).ToList();
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
            new Chart("latency", $"Echo latency at {s.Settings.EchoRate:N0} msg/s (coordinated-omission corrected)", "µs",
                ["p50", "p99", "p99.9", "max"],
                engines.Select(e => new Series(e.Engine, e.Echo is { } x ? [x.P50, x.P99, x.P999, x.Max] : [null, null, null, null])).ToList()),
        ];
    }
}
