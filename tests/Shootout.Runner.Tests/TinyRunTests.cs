using System.Text.RegularExpressions;

namespace Shootout.Runner.Tests;

/// <summary>One tiny run of all four engines, shared by the tests that read its results.</summary>
public sealed class TinyRunFixture
{
    internal RunnerProcess.Result Run { get; } = RunnerProcess.Run(TimeSpan.FromMinutes(3), [.. RunnerProcess.Tiny, "--no-prometheus"]);
}

public sealed partial class TinyRunTests(TinyRunFixture fixture) : IClassFixture<TinyRunFixture>
{
    private readonly RunnerProcess.Result _run = fixture.Run;
    private static readonly string[] Engines = ["threads", "async", "epoll", "uring"];

    [Fact]
    public void Every_engine_is_measured_and_the_run_exits_0()
    {
        Assert.True(_run.ExitCode == 0, _run.ToString());
        foreach (var e in Engines)
            Assert.Contains(e, _run.Stdout);
        // The figures the question quotes: a labelled line beneath the tables, not rows.
        Assert.Contains("quoted by the project's question, not measured here: Rust threads 8.5 KB per thread, Go 2.1 KB per", _run.Stdout);
        Assert.Contains("── The answer", _run.Stdout);
    }

    [Fact]
    public void Every_kernel_limit_the_run_raised_is_put_back_or_left_to_whoever_changed_it_since()
    {
        var raised = RaisedLine().Matches(_run.Stdout).Select(m => (Name: m.Groups["name"].Value, Old: m.Groups["old"].Value)).ToList();
        foreach (var (name, old) in raised)
            Assert.True(_run.Stdout.Contains($"sysctl {name}: put back to {old}") || _run.Stdout.Contains($"sysctl {name}: changed by someone else"),
                $"{name} was raised from {old} and neither put back nor reported:\n{_run}");
        // And nothing is put back that was not raised.
        Assert.Equal(raised.Count, PutBackLine().Matches(_run.Stdout).Count + Regex.Matches(_run.Stdout, "changed by someone else during the run").Count);
    }

    [GeneratedRegex(@"sysctl (?<name>[a-z0-9_.-]+): (?<old>[0-9 ]+) -> ")]
    private static partial Regex RaisedLine();

    [GeneratedRegex(@"sysctl [a-z0-9_.-]+: put back to ")]
    private static partial Regex PutBackLine();

    [Fact]
    public void Every_engine_has_its_cost_per_message_at_the_offered_rate_and_at_the_closed_loop_maximum()
    {
        foreach (var e in Engines)
            foreach (var phase in new[] { "at 500 msg/s", "at the closed-loop maximum" })
                Assert.Contains($"{e}: cost per message {phase} (", _run.Stdout);
    }

    [Fact]
    public void Summary_json_has_the_contract_fields()
    {
        var s = _run.Summary;
        var machine = s["machine"]!;
        Assert.Equal(Environment.ProcessorCount, machine["cores"]!.GetValue<int>());
        Assert.True(machine["memory_bytes"]!.GetValue<long>() > 0);
        Assert.False(string.IsNullOrWhiteSpace(machine["kernel"]!.GetValue<string>()));
        Assert.True(machine["rlimit_nofile"]!.GetValue<long>() > 0);

        var engines = s["engines"]!.AsObject();
        Assert.Equal(Engines, engines.Select(kv => kv.Key));
        foreach (var (name, node) in engines)
        {
            var e = node!;
            Assert.True(e["status"]!.GetValue<string>() == "ok", $"{name}: {e["error"]}");
            Assert.Equal(300, e["connections_requested"]!.GetValue<int>());
            Assert.Equal(300, e["connections_held"]!.GetValue<long>());
            Assert.Equal(1, e["processes"]!.GetValue<int>());
            Assert.True(e["connect_rate_per_s"]!.GetValue<double>() > 0, name);
            // Memory per connection is measured, not made up: the held RSS is above the baseline.
            Assert.True(e["user_bytes_per_connection"]!.GetValue<double>() > 0, name);
            Assert.NotNull(e["kernel_bytes_per_connection"]);
            Assert.True(e["threads"]!.GetValue<int>() > 0, name);
            Assert.True(e["cpu_user_seconds"]!.GetValue<double>() > 0, name);
            Assert.True(e["cpu_system_seconds"]!.GetValue<double>() >= 0, name);
            var echo = e["echo"]!;
            Assert.Equal(500, echo["rate_requested"]!.GetValue<double>());
            Assert.True(echo["rate_achieved"]!.GetValue<double>() > 0, name);
            var lat = echo["latency_us"]!;
            double p50 = lat["p50"]!.GetValue<double>(), p99 = lat["p99"]!.GetValue<double>(),
                   p999 = lat["p999"]!.GetValue<double>(), max = lat["max"]!.GetValue<double>();
            Assert.True(p50 > 0 && p50 <= p99 && p99 <= p999 && p999 <= max, $"{name}: {lat.ToJsonString()}");
            Assert.True(e["max_msgs_per_s"]!.GetValue<double>() > 0, name);
        }
        // The threads engine runs a thread per connection; the others a handful.
        Assert.True(engines["threads"]!["threads"]!.GetValue<int>() >= 300);
        Assert.True(engines["epoll"]!["threads"]!.GetValue<int>() < 300);
    }

    [Fact]
    public void Reports_and_charts_are_written_and_latest_points_at_the_run()
    {
        string dir = _run.RunDir;
        Assert.StartsWith(Path.GetFullPath(_run.ResultsRoot), dir);
        var md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("| server | held | connect/s | user B/conn | kernel B/conn | threads |", md);
        Assert.Contains("## The answer", md);
        foreach (var e in Engines) Assert.Matches($@"\| {e} \| ", md);
        Assert.Contains("warm", md);
        Assert.Contains("both ends", md);
        foreach (var chart in new[] { "memory", "connect-rate", "throughput", "latency" })
        {
            var png = File.ReadAllBytes(Path.Combine(dir, chart + ".png"));
            Assert.True(png.Length > 5_000, $"{chart}.png is only {png.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Contains($"]({chart}.png)", md);
        }
        // A self-contained page: nothing fetched from elsewhere.
        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*""(https?:)?//"), html);
    }

    [Fact]
    public void Html_report_draws_its_charts_in_headless_chromium_without_script_errors()
    {
        var page = HeadlessChromium.DumpDom(Path.Combine(_run.RunDir, "report.html"));
        Assert.Contains("data-charts-ready=\"yes\"", page.Dom);
        // The bar charts: memory, connect rate, throughput, beside heavy neighbours, CPU per message where measured, and one more drawn the same way.
        Assert.InRange(Regex.Matches(page.Dom, "<svg class=\"chart\"").Count, 5, 6);
        foreach (var chart in new[] { "memory", "connect-rate", "throughput", "neighbours", "latency" })
            Assert.Contains($"data-chart=\"{chart}\"", page.Dom);
        Assert.True(Regex.Matches(page.Dom, "<rect class=\"bar\"").Count >= 3 * 4, "bars drawn");
        foreach (var e in Engines) Assert.Contains($"data-engine=\"{e}\"", page.Dom);
        // The page logs nothing itself: any console line is an error or a warning about it.
        var errors = page.Log.Split('\n').Where(l => l.Contains(":CONSOLE")).ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
        // A real run's figures laid out at 1280 px: nothing scrolls sideways, no two chart labels collide.
        var (scrollWidth, clientWidth, overlaps) = HeadlessChromium.Layout(Path.Combine(_run.RunDir, "report.html"), 1280);
        Assert.True(scrollWidth <= clientWidth, $"scroll width {scrollWidth} > client width {clientWidth}");
        Assert.True(overlaps.Count == 0, "overlapping chart labels:\n" + string.Join('\n', overlaps));
    }
}
