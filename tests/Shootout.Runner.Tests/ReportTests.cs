using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Shootout.Common;
using Shootout.Runner.Cli;
using Shootout.Runner.Machine;
using Shootout.Runner.Reports;
using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Tests;

/// <summary>
/// The reports of a run with every kind of row (engines, references, contenders; one failed, one stopped at a wall,
/// one generator-bound, one without cost figures), from constructed results: the answer written from the figures,
/// the console within 120 columns, summary.json's per-message fields, and the HTML's layout in headless Chromium.
/// </summary>
public sealed class ReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("report-").FullName;

    internal static EngineResult Row(string name, double user, double kernel, double msgs, double p99, double userMicros, double systemMicros,
        bool reference = false, bool contender = false)
    {
        var r = new EngineResult { Engine = name, Kind = reference ? RowKind.Reference : contender ? RowKind.Contender : RowKind.Engine, ConnectionsRequested = 20_000 };
        r.ConnectionsHeld = 20_000;
        r.ConnectRatePerSecond = 9_000;
        r.UserBytesPerConnection = user;
        r.KernelBytesPerConnection = kernel;
        r.Threads = 4;
        r.CpuUserSeconds = 1.5;
        r.CpuSystemSeconds = 2.25;
        for (int c = 0; c <= 20_000; c += 5_000)
            r.Timeline.Add(new GrowthPoint(c, (20L << 20) + (long)(user * c), (long)(kernel * c)));
        for (int t = 0; t <= 4; t++)
            r.Timeline.Add(new TimePoint(t, t * 5_000, (20L << 20) + (long)(user * t * 5_000), 20L << 30, 0.1 * t, 0.05 * t));
        r.Echo = new EchoResult(5_000, 4_990, p99 / 4, p99, p99 * 2, p99 * 3)
        {
            Spectrum = LatencySpectrum.From(JsonNode.Parse(F($"{{\"min\":{p99 / 10},\"p50\":{p99 / 4},\"p90\":{p99 / 2},\"p99\":{p99},\"max\":{p99 * 3}}}")))
        };
        r.MaxMsgsPerSecond = msgs;
        r.Neighbours = new NeighboursResult(4, 1, 10, 1000, 0, 200, 900, 2000, 1e7, 0.9, 0.98, "ok", null);
        r.Cpus = new CpuRoles(CpuSet.Parse("1"), CpuSet.Parse("0"));
        r.CostAtRate = new MessageCost("rate", 25_000, 5_000, userMicros, systemMicros, 2.0, 1.0, 0.01);
        r.CostClosed = new MessageCost("closed", 500_000, 100_000, userMicros / 2, systemMicros / 2, 1.5, 0.5, 0.02);
        r.GeneratorCpu.Add(new GeneratorCpu("echo", 0.2, 1));
        r.GeneratorCpu.Add(new GeneratorCpu("closed", 0.5, 1));
        r.NoteHints("echo", ["same_machine"]);
        r.NoteHints("closed", ["same_machine"]);
        return r;
    }

    internal static RunSummary Summary()
    {
        var threads = Row("threads", 9_500, 4_100, 60_000, 900, 9, 30);
        var bound = Row("uring", 700, 4_000, 127_631, 300, 3, 8);
        bound.GeneratorCpu.Add(new GeneratorCpu("closed", 0.97, 1));
        var wall = Row("async", 1_200, 4_000, 90_000, 500, 5, 9);
        wall.Limit = "MemAvailable would fall below 3 GiB";
        wall.ConnectionsHeld = 15_000;
        wall.NoteHints("echo", ["send_lag"]);
        var epoll = Row("epoll", 600, 4_000, 110_000, 250, 2.5, 7.5);
        epoll.NoteHints("echo", ["send_lag"]);
        var socat = Row("socat", 190_000, 9_000, 20_000, 4_000, 40, 60, contender: true);
        socat.CostAtRate = null;
        socat.CostClosed = null;
        var rev = new EngineResult { Engine = "rev", Kind = RowKind.Contender, ConnectionsRequested = 20_000 };
        rev.Fail("does not echo: sent 32 bytes (no newline), nothing came back within 5 s: not an echo");
        return new RunSummary(new RunnerSettings(), MachineInfo.Read(), [threads, wall, epoll, bound], DateTimeOffset.Now, 300, [], [], 20_000)
        {
            References = [Row("c", 300, 4_000, 120_000, 200, 2, 7, reference: true), Row("go", 2_600, -5_000, 80_000, 400, 6, 8, reference: true),
                Row("rust", 8_800, 4_100, 70_000, 700, 5, 25, reference: true)],
            Contenders = [socat, Row("python-asyncio-1", 4_700, 9_800, 12_000, 38_000, 30, 10, contender: true), rev],
        };
    }

    [Fact]
    public void The_answer_names_the_cheapest_and_dearest_connection_the_cpu_split_the_leaders_and_what_was_not_measured()
    {
        var answer = Answer.Of(Summary());
        string text = string.Join(" ", answer.Sentences);
        // go's kernel figure is negative (its slab shrank): the rows are ranked by user space alone, c (300) to socat (190,000).
        Assert.Contains("An idle connection cost c (reference) 300 B in user space, the least, and socat (contender) 190,000 B, the most: " +
                        "633.3× as much; the kernel figures of go (reference) did not grow in step with the connections", text);
        // A user-space figure within a few pages of nothing gives no ratio (the C reference's: RSS moves in 4 KiB pages).
        var c = Summary().References[0];
        c.UserBytesPerConnection = 0.4;
        var nothing = Summary() with { References = [c, Row("go", 2_600, -5_000, 80_000, 400, 6, 8, reference: true)] };
        Assert.Contains("c (reference) 0 B in user space, the least, and socat (contender) 190,000 B, the most: the least is within a few memory " +
                        "pages of nothing, so no ratio", string.Join(" ", Answer.Of(nothing).Sentences));
        Assert.Contains("a Rust thread per connection 8,800 B and a goroutine per connection 2,600 B", text);
        Assert.Contains("from c (reference) 9.0 µs (2.0 user, 7.0 system) to python-asyncio-1 (contender) 40.0 µs (30.0 user, 10.0 system)", text);
        Assert.Contains("7 of 8 rows spent more of it in the kernel", text);
        Assert.Contains("uring led the closed loop at ≥ 127,631 msg/s (generator-bound); the load generator bounded", text);
        Assert.Contains("c (reference) answered with the lowest p99, 200 µs", text);
        Assert.Contains("python-asyncio-1 (contender) the highest, 38,000 µs (190×", text);
        Assert.Contains("server on CPU 1, load generator on CPU 0 for every row measured", text);
        Assert.Contains(answer.Gaps, g => g.StartsWith("rev (contender) failed: does not echo: sent 32 bytes (no newline)", StringComparison.Ordinal));
        Assert.Contains(answer.Gaps, g => g.StartsWith("async stopped at a wall at 15,000 of 20,000", StringComparison.Ordinal));
        Assert.Contains(answer.Gaps, g => g.Contains("max msgs/s of uring is the load generator's limit", StringComparison.Ordinal));
        // go's slab shrank while it ramped: its negative kernel figure ranks nothing and is named.
        Assert.Contains(answer.Gaps, g => g.StartsWith("go (reference)'s kernel figure is not meaningful", StringComparison.Ordinal));
    }

    [Fact]
    public void With_every_kernel_figure_in_step_the_answer_ranks_user_and_kernel_together()
    {
        var s = Summary();
        s = s with { References = [.. s.References.Select(r => r.Engine == "go" ? Row("go", 2_600, 4_000, 80_000, 400, 6, 8, reference: true) : r)] };
        string text = string.Join(" ", Answer.Of(s).Sentences);
        // Cheapest by user + kernel: c (300 + 4,000); dearest: socat (190,000 + 9,000): 46.3×.
        Assert.Contains("An idle connection cost c (reference) 300 B in user space and 4,000 B in the kernel, the least; " +
                        "socat (contender) the most, 190,000 B and 9,000 B: 46.3× as much in all", text);
    }

    [Fact]
    public void The_console_fits_120_columns_in_narrow_tables_with_each_hint_said_once_and_ends_with_the_answer()
    {
        var output = new StringWriter();
        ConsoleTable.Print(Summary(), ConsoleTable.Plain(output));
        string text = output.ToString();
        var lines = text.Split('\n');
        var wide = lines.Where(l => l.TrimEnd().Length > 120).ToList();
        Assert.True(wide.Count == 0, "wider than 120 columns:\n" + string.Join('\n', wide));
        foreach (var title in new[] { "Cost per idle connection", "Throughput and latency", "CPU per echoed message", "Beside heavy neighbours" })
            Assert.Contains(title, text);
        // The notes wrap at 120 columns: read them as one line.
        string flowing = Regex.Replace(text, @"\s+", " ");
        Assert.Single(Regex.Matches(flowing, Regex.Escape("send_lag (echo)")));
        Assert.Contains("send_lag (echo): async, epoll", flowing);
        Assert.Contains("same_machine (echo), same_machine (closed): every row measured", flowing);
        Assert.Contains("≥ 127,631", text);
        Assert.Contains("rev (contender): FAILED: does not echo", text);
        Assert.True(text.IndexOf("The answer", StringComparison.Ordinal) > text.IndexOf("Beside heavy neighbours", StringComparison.Ordinal));
        // socat has no cost figures: a dash, not a zero.
        Assert.Matches(@"socat \(contender\)\s+│\s+—\s+│\s+—\s+│", text);
    }

    [Fact]
    public void Summary_json_keeps_contenders_beside_engines_and_references_with_cost_per_message_and_cpus()
    {
        var json = SummaryJson.Build(Summary());
        Assert.Equal(["socat", "python-asyncio-1", "rev"], json["contenders"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("failed", json["contenders"]!["rev"]!["status"]!.GetValue<string>());
        var epoll = json["engines"]!["epoll"]!;
        var rate = epoll["cost_per_message"]!["rate"]!;
        Assert.Equal(2.5, rate["cpu_per_message_us"]!["user"]!.GetValue<double>());
        Assert.Equal(7.5, rate["cpu_per_message_us"]!["system"]!.GetValue<double>());
        Assert.Equal(2.0, rate["syscalls_per_message"]!.GetValue<double>());
        Assert.Equal(1.0, rate["context_switches_per_message"]!["voluntary"]!.GetValue<double>());
        Assert.Equal(1.25, epoll["cost_per_message"]!["closed"]!["cpu_per_message_us"]!["user"]!.GetValue<double>());
        Assert.Equal("1", epoll["cpus"]!["server"]!.GetValue<string>());
        Assert.Equal("0", epoll["cpus"]!["loadgen"]!.GetValue<string>());
        Assert.Equal(0.2, epoll["generator_cpu"]!["echo"]!["share"]!.GetValue<double>());
        Assert.True(json["engines"]!["uring"]!["max_msgs_generator_bound"]!.GetValue<bool>());
        Assert.Null(json["contenders"]!["socat"]!["cost_per_message"]!["rate"]);
    }

    [Fact]
    public void Report_md_opens_with_the_answer_and_keeps_the_quoted_figures_as_a_labelled_line()
    {
        ReportFiles.WriteAll(_dir, Summary());
        string md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.True(md.IndexOf("## The answer", StringComparison.Ordinal) < md.IndexOf("## The figures", StringComparison.Ordinal));
        Assert.Contains("An idle connection cost c (reference) 300 B", md);
        Assert.Contains("| server | held | connect/s | user B/conn | kernel B/conn | threads |", md);
        Assert.Contains("| rev (contender) ✗ | 0 |", md);
        Assert.Contains("Quoted by the project's question, not measured here", md);
        Assert.Contains("](cpu-per-message.png)", md);
        Assert.True(File.Exists(Path.Combine(_dir, "cpu-per-message.png")));
    }

    [Fact]
    public void Report_html_does_not_overflow_at_1280_px_and_no_chart_labels_overlap()
    {
        ReportFiles.WriteAll(_dir, Summary());
        string html = Path.Combine(_dir, "report.html");
        var (scrollWidth, clientWidth, overlaps) = HeadlessChromium.Layout(html, 1280);
        Assert.True(scrollWidth <= clientWidth, $"the page scrolls sideways at 1280 px: scroll width {scrollWidth} > client width {clientWidth}");
        Assert.True(overlaps.Count == 0, "overlapping chart labels:\n" + string.Join('\n', overlaps));
        var page = HeadlessChromium.DumpDom(html);
        Assert.True(page.Dom.Contains("data-charts-ready=\"yes\""), Regex.Match(page.Dom, "data-charts-ready=\"[^\"]*\"").Value);
        // Someone looks at the page too: SHOOTOUT_REPORT_SCREENSHOT=path.png keeps a screenshot of it at 1280 px.
        if (Environment.GetEnvironmentVariable("SHOOTOUT_REPORT_SCREENSHOT") is { Length: > 0 } screenshot)
        {
            File.Copy(html, Path.ChangeExtension(screenshot, ".html"), overwrite: true);
            HeadlessChromium.Screenshot(html, screenshot, 1280, 5000);
        }
        Assert.Contains("data-contender=\"socat\"", page.Dom);
        Assert.Contains("data-chart=\"cpu-per-message\"", page.Dom);
        // The quoted figures are dashed lines across the memory chart, not bars beside the measured rows.
        var memory = Regex.Match(page.Dom, "data-chart=\"memory\".*?</svg>", RegexOptions.Singleline).Value;
        Assert.Equal(2, Regex.Matches(memory, "<line class=\"reference\"").Count);
        Assert.Contains("Rust threads 8.5 KB (quoted)", memory);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
