using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shootout.Runner.Cli;
using Shootout.Runner.Machine;
using Shootout.Runner.Reports;
using Shootout.Runner.Run;

namespace Shootout.Runner.Tests;

/// <summary>
/// The growth fits, time series and latency spectra in the reports, from rows with known samples (the
/// figures of a real run come from the tiny runs' tests; here the lines and tables are checked exactly).
/// </summary>
public sealed class GrowthReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("growth-report-").FullName;

    private static EngineResult Row(string name, bool reference, double bytesPerConnection, long fixedBytes)
    {
        var r = new EngineResult { Engine = name, Kind = reference ? RowKind.Reference : RowKind.Engine, ConnectionsRequested = 1000 };
        r.ConnectionsHeld = 1000;
        for (int c = 0; c <= 1000; c += 100)
            r.Timeline.Add(new GrowthPoint(c, fixedBytes + (long)(bytesPerConnection * c), (long)(2000.0 * c)));
        for (int t = 0; t <= 10; t++)
            r.Timeline.Add(new TimePoint(t, Math.Min(1000, t * 200), fixedBytes + t * 100_000, 20L << 30, 0.1 * t, 0.05 * t));
        r.Echo = new EchoResult(500, 499, 100, 900, 2000, 4000)
        {
            Spectrum = LatencySpectrum.From(JsonNode.Parse("""{"min":20,"p50":100,"p75":150,"p90":300,"p95":500,"p99":900,"p999":2000,"p9999":3000,"max":4000}""")),
        };
        r.MaxMsgsPerSecond = 50_000;
        r.UserBytesPerConnection = bytesPerConnection;
        r.KernelBytesPerConnection = 2000;
        r.ConnectRatePerSecond = 900;
        return r;
    }

    private RunSummary Summary() => new(new RunnerSettings(), MachineInfo.Read(),
        [Row("threads", false, 9000, 20 << 20), Row("epoll", false, 600, 40 << 20)], DateTimeOffset.Now, 60, [], [], 1000)
    {
        References = [Row("go", true, 4500, 4 << 20)],
    };

    [Fact]
    public void Summary_json_carries_each_rows_fit_samples_timeline_and_spectrum()
    {
        var json = SummaryJson.Build(Summary());
        var threads = json["engines"]!["threads"]!;
        var user = threads["growth"]!["user"]!;
        Assert.Equal(9000, user["slope_bytes_per_connection"]!.GetValue<double>(), 3);
        Assert.Equal(20 << 20, user["intercept_bytes"]!.GetValue<double>(), 3);
        Assert.Equal(1, user["r2"]!.GetValue<double>(), 6);
        Assert.Equal(2000, threads["growth"]!["kernel"]!["slope_bytes_per_connection"]!.GetValue<double>(), 3);
        Assert.Equal(11, threads["growth"]!["samples"]!.AsArray().Count);
        Assert.Equal(11, threads["timeline"]!.AsArray().Count);
        Assert.Equal(3000, threads["echo"]!["latency_spectrum_us"]!["p99.99"]!.GetValue<double>());
        Assert.Equal(4500, json["references"]!["go"]!["growth"]!["user"]!["slope_bytes_per_connection"]!.GetValue<double>(), 3);
    }

    [Fact]
    public void The_reports_show_the_fitted_lines_and_every_growth_chart_as_png()
    {
        ReportFiles.WriteAll(_dir, Summary());
        var md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("| threads | 9,000 | 20.0 | 1.000 | 2,000 | 0.0 | 1.000 | 11 |", md);
        Assert.Contains("| go (reference) | 4,500 | 4.0 | 1.000 |", md);
        foreach (var slug in new[] { "latency", "growth-user", "growth-kernel", "timeline-connections", "timeline-rss", "timeline-memavailable", "timeline-cpu" })
        {
            var png = File.ReadAllBytes(Path.Combine(_dir, slug + ".png"));
            Assert.True(png.Length > 5_000, $"{slug}.png is only {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Contains($"]({slug}.png)", md);
        }
    }

    [Fact]
    public void Html_draws_the_spectrum_fits_and_time_series_full_width_in_headless_chromium()
    {
        ReportFiles.WriteAll(_dir, Summary());
        string html = File.ReadAllText(Path.Combine(_dir, "report.html"));
        Assert.Contains("threads fit: 9,000 B/conn + 20.0 MiB, R&#178; 1.000", html);
        Assert.Contains("width:100%", html);
        var page = HeadlessChromium.DumpDom(Path.Combine(_dir, "report.html"));
        Assert.Contains("data-charts-ready=\"yes\"", page.Dom);
        foreach (var slug in new[] { "latency", "growth-user", "growth-kernel", "timeline-connections", "timeline-rss", "timeline-memavailable", "timeline-cpu" })
            Assert.Matches($"<svg class=\"[^\"]*chart[^\"]*\" data-chart=\"{slug}\"[^>]*width=\"100%\"", page.Dom);
        // The spectrum: nine percentiles (p0 .. p99.99, max) per row, three rows.
        var latency = Regex.Match(page.Dom, "data-chart=\"latency\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Equal(27, Regex.Matches(latency, "<circle class=\"point\"").Count);
        foreach (var tick in new[] { ">p0<", ">p50<", ">p99<", ">p99.99<", ">max<" }) Assert.Contains(tick, latency);
        // Each row's fitted line is drawn in both growth charts.
        var growth = Regex.Match(page.Dom, "data-chart=\"growth-user\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Equal(3, Regex.Matches(growth, "<path class=\"line\"[^>]*stroke-dasharray").Count);
        Assert.Contains("data-growth=\"go\"", page.Dom);
        var errors = page.Log.Split('\n').Where(l => l.Contains(":CONSOLE")).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
