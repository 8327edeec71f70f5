using System.Diagnostics;
using System.Text.Json;
using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Thresholds;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>Thresholds against the real executable and the real server: pass, fail (exit 99), abort early,
/// and bad expressions (exit 2, naming the bad part).</summary>
public sealed class ThresholdTests : IDisposable
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private readonly ServerCopies _server = new(1, "threads");

    public void Dispose() => _server.Dispose();

    private string Target => $"127.0.0.1:{_server.Port}";

    [Fact]
    public void Thresholds_that_hold_pass_and_are_reported_everywhere()
    {
        var dir = LoadGenProcess.NewReportDir();
        // Generous limits: a loaded machine must not fail them, and the run must still judge all of them.
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--target", Target, "--connections", "5", "--rate", "100",
            "--duration", "2s", "--report-dir", dir, "--threshold", "p99<30s", "--threshold", "errors<50%",
            "--threshold", "connections>=5", "--threshold", "connect_p99<30s", "--threshold", "first_byte_p99.9<30s");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var thresholds = r.Summary["thresholds"]!.AsArray();
        Assert.Equal(["p99<30s", "errors<50%", "connections>=5", "connect_p99<30s", "first_byte_p99.9<30s"],
            thresholds.Select(t => (string)t!["expr"]!));
        Assert.All(thresholds, t => Assert.True((bool)t!["passed"]!));
        Assert.Equal(5, (double)thresholds[2]!["observed"]!);
        Assert.Contains("threshold pass  p99<30s", r.Stdout);
        Assert.Contains("`connections>=5`", File.ReadAllText(Path.Combine(dir, "report.md")));
        Assert.Contains("<code>p99&lt;30s</code>", File.ReadAllText(Path.Combine(dir, "report.html")));
    }

    [Fact]
    public void A_failed_threshold_exits_99_and_names_it()
    {
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--target", Target, "--connections", "5", "--rate", "100",
            "--duration", "2s", "--report-dir", dir, "--threshold", "p50<1us", "--threshold", "errors<50%");

        Assert.Equal(ExitCodes.ThresholdsFailed, r.ExitCode);
        Assert.Equal("thresholds_failed", (string?)r.Summary["status"]);
        var failed = r.Summary["thresholds"]!.AsArray().Single(t => !(bool)t!["passed"]!);
        Assert.Equal("p50<1us", (string?)failed!["expr"]);
        Assert.True((double)failed["observed"]! >= 1);
        Assert.Contains("p50<1us", Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Contains("threshold FAIL  p50<1us", r.Stdout);
    }

    [Fact]
    public void Abort_on_fail_stops_the_run_early_with_exit_99()
    {
        var dir = LoadGenProcess.NewReportDir();
        var watch = Stopwatch.StartNew();
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--target", Target, "--connections", "5", "--rate", "100",
            "--duration", "60s", "--report-dir", dir, "--threshold", "p50<1us", "--abort-on-fail");

        Assert.Equal(ExitCodes.ThresholdsFailed, r.ExitCode);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(45), $"took {watch.Elapsed} of a 60 s plan");
        Assert.True((double)r.Summary["duration_s"]! < 40);
        Assert.Contains("stopped early: p50<1us failed", r.Stderr);
    }

    [Fact]
    public void Config_file_thresholds_apply_with_the_command_lines()
    {
        var dir = LoadGenProcess.NewReportDir();
        var config = Path.Combine(dir, "plan.json");
        File.WriteAllText(config, $$"""
            { "scenario": "echo", "target": "{{Target}}", "connections": 5,
              "load_simulations": [ { "Inject": [100, "1s", "2s"] } ],
              "thresholds": [ "errors<50%", { "expr": "rate>=1%", "abort_on_fail": false } ] }
            """);
        var r = LoadGenProcess.Run(dir, Limit, null, "run", "--config", config, "--report-dir", dir, "--threshold", "max<1us");

        Assert.Equal(ExitCodes.ThresholdsFailed, r.ExitCode);
        var results = r.Summary["thresholds"]!.AsArray().ToDictionary(t => (string)t!["expr"]!, t => (bool)t!["passed"]!);
        Assert.Equal(new Dictionary<string, bool> { ["errors<50%"] = true, ["rate>=1%"] = true, ["max<1us"] = false }, results);
    }

    [Theory]
    [InlineData("p99<5xs", "unit 'xs'")]
    [InlineData("q99<5ms", "unknown metric 'q99'")]
    [InlineData("p99 5ms", "no comparison")]
    [InlineData("p99<", "no value")]
    [InlineData("<5ms", "no metric")]
    [InlineData("p99<5", "needs a unit")]
    [InlineData("rate>=99", "rate")]
    [InlineData("p99<abc", "'abc' is not a number")]
    public void A_bad_expression_exits_2_naming_it(string expression, string problem)
    {
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--target", Target, "--duration", "1s", "--report-dir", dir,
            "--threshold", expression);

        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--threshold", line);
        Assert.Contains($"'{expression}'", line);
        Assert.Contains(problem, line);
        Assert.False(File.Exists(Path.Combine(dir, "summary.json")), "nothing ran");
    }

    [Fact]
    public void A_threshold_on_a_figure_the_scenario_never_has_is_refused()
    {
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, Limit, null, "hold", "--target", Target, "--duration", "1s", "--report-dir", dir,
            "--threshold", "p99<5ms");
        Assert.Equal(ExitCodes.BadInput, r.ExitCode);
        Assert.Contains("idle hold sends none", r.Stderr);
    }

    [Theory]
    [InlineData("p99<5ms", "p99", "<", 5000)]
    [InlineData("p99.9 <= 20ms", "p99.9", "<=", 20000)]
    [InlineData("errors<0.1%", "errors", "<", 0.1)]
    [InlineData("errors<10", "errors", "<", 10)]
    [InlineData("rate>=99%", "rate", ">=", 99)]
    [InlineData("connections>=50000", "connections", ">=", 50000)]
    [InlineData("connect_p99<100ms", "connect_p99", "<", 100000)]
    [InlineData("send_lag_p999<2s", "send_lag_p999", "<", 2_000_000)]
    public void The_grammar_reads_the_documented_examples(string text, string metric, string op, double limit)
    {
        var t = Threshold.Parse(text, "--threshold");
        var ops = new Dictionary<string, Comparison>
        {
            ["<"] = Comparison.Less, ["<="] = Comparison.LessOrEqual, [">"] = Comparison.Greater, [">="] = Comparison.GreaterOrEqual,
        };
        Assert.Equal((metric, ops[op], limit), (t.Metric.Name, t.Op, t.Limit));
    }

    [Fact]
    public void Config_threshold_errors_name_the_field()
    {
        var json = JsonDocument.Parse("""{ "thresholds": [ "p99<1ms", { "expr": "p99<<1ms" } ] }""").RootElement;
        var e = Assert.Throws<UsageException>(() => ConfigFile.Parse(json));
        Assert.Contains("thresholds[1].expr", e.Message);
    }
}
