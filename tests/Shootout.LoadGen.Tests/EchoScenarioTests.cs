using Xunit;

namespace Shootout.LoadGen.Tests;

public class EchoScenarioTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    [Trait("Category", "WallClock")]
    public void Open_model_holds_the_requested_rate_and_writes_well_formed_reports()
    {
        using var server = new TestEchoServer();
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--target", $"127.0.0.1:{server.Port}", "--connections", "20",
            "--rate", "2000", "--duration", "3s", "--message-size", "32", "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var s = r.Summary;
        Assert.Equal("echo", (string?)s["scenario"]);
        Assert.Equal($"127.0.0.1:{server.Port}", (string?)s["target"]);
        Assert.Equal(20, (int)s["connections"]!["established"]!);
        Assert.Equal(0, (int)s["messages"]!["failed"]!);
        Assert.InRange((double)s["rate"]!["achieved"]!, 1800, 2200);
        Assert.InRange((long)s["messages"]!["ok"]!, 5400, 6600);
        foreach (var p in new[] { "mean", "p50", "p75", "p90", "p95", "p99", "p999", "max" })
            Assert.True((double)s["latency_us"]![p]! > 0, p);
        Assert.True((double)s["latency_us"]!["p50"]! <= (double)s["latency_us"]!["p99"]!);
        Assert.NotNull(s["connect_latency_us"]!["p99"]);
        Assert.True((double)s["connect_rate_per_s"]! > 0);
        Assert.Empty(s["errors"]!.AsObject());

        var csv = File.ReadAllLines(Path.Combine(dir, "report.csv"));
        Assert.StartsWith("test_suite,test_name,scenario,duration,step_name,request_count,ok,failed,rps", csv[0]);
        Assert.Equal(3, csv.Length);
        Assert.All(csv, line => Assert.Equal(csv[0].Split(',').Length, line.Split(',').Length));
        Assert.Contains(csv, l => l.Contains(",echo,", StringComparison.Ordinal));

        var html = File.ReadAllText(Path.Combine(dir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html);
        foreach (var id in new[] { "latency-over-time", "percentile-distribution", "connections-over-time" })
            Assert.Matches($"<svg class=\"chart\" data-chart=\"{id}\"[^>]*>.*?<path class=\"line\"", html);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", ""));
        Assert.Contains("## Steps", File.ReadAllText(Path.Combine(dir, "report.md")));
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public void Stalls_of_the_server_show_in_the_high_percentiles()
    {
        // Frozen for 300 ms at the start of every second: a third of the messages wait for it. Measured from
        // the scheduled send time, p99 and max must show the stall; measured from the actual send they would not.
        using var server = new TestEchoServer(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(300));
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--target", $"127.0.0.1:{server.Port}", "--connections", "10",
            "--rate", "1000", "--duration", "4s", "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var latency = r.Summary["latency_us"]!;
        Assert.InRange((double)latency["p99"]!, 200_000, 1_000_000);
        Assert.InRange((double)latency["max"]!, 250_000, 1_000_000);
        Assert.True((double)latency["p50"]! < 200_000, "most messages are not stalled");
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public void Closed_loop_runs_back_to_back()
    {
        using var server = new TestEchoServer();
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, Limit, null, "echo", "--closed", "--target", $"127.0.0.1:{server.Port}",
            "--connections", "4", "--duration", "2s", "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal("echo-closed", (string?)r.Summary["scenario"]);
        // Back to back: many round trips per connection even on a loaded machine (thousands when idle),
        // where a paced run would send none without --rate.
        Assert.True((long)r.Summary["messages"]!["ok"]! > 100, $"only {r.Summary["messages"]!["ok"]} round trips in 2 s");
        Assert.Equal(0, (long)r.Summary["messages"]!["failed"]!);
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public void A_target_that_is_not_listening_fails_fast_with_connection_refused()
    {
        int port = Ports.Free();
        var dir = LoadGenProcess.NewReportDir();
        var started = DateTime.UtcNow;
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(20), null, "echo", "--target", $"127.0.0.1:{port}",
            "--duration", "30s", "--report-dir", dir);

        Assert.Equal(1, r.ExitCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15));
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("connection refused", line);
        Assert.True((long)r.Summary["errors"]!["refused"]! >= 1);
        Assert.Equal("failed", (string?)r.Summary["status"]);
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public void A_server_dying_mid_run_is_counted_by_kind_with_partial_reports()
    {
        var server = new TestEchoServer();
        var dir = LoadGenProcess.NewReportDir();
        int metricsPort = Ports.Free();
        var r = LoadGenProcess.Run(dir, Limit, p =>
        {
            LoadGenProcess.WaitForRoundTrips(p, metricsPort, TimeSpan.FromSeconds(30));
            server.Kill();
        }, "echo", "--target", $"127.0.0.1:{server.Port}", "--connections", "10", "--rate", "500", "--duration", "20s",
            "--metrics-port", metricsPort.ToString(), "--report-dir", dir);

        Assert.Equal(1, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("lost", r.Stderr);
        var errors = r.Summary["errors"]!.AsObject();
        Assert.True(errors.Where(e => e.Key is "reset" or "closed").Sum(e => (long)e.Value!) >= 1, errors.ToJsonString());
        Assert.True((long)r.Summary["messages"]!["ok"]! > 0);
        Assert.True((double)r.Summary["duration_s"]! < 15, "stops when every connection is gone");
    }

    [Fact]
    public void Ctrl_c_stops_the_run_and_still_writes_the_reports()
    {
        using var server = new TestEchoServer();
        var dir = LoadGenProcess.NewReportDir();
        int metricsPort = Ports.Free();
        var r = LoadGenProcess.Run(dir, Limit, p =>
        {
            LoadGenProcess.WaitForRoundTrips(p, metricsPort, TimeSpan.FromSeconds(30));
            Assert.True(p.Signal(Signals.SigInt));
        }, "echo", "--target", $"127.0.0.1:{server.Port}", "--connections", "5", "--rate", "200", "--duration", "60s",
            "--metrics-port", metricsPort.ToString(), "--report-dir", dir);

        Assert.Equal(130, r.ExitCode);
        Assert.Contains("interrupted", Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("interrupted", (string?)r.Summary["status"]);
        Assert.True((long)r.Summary["messages"]!["ok"]! > 0);
        Assert.True(File.Exists(Path.Combine(dir, "report.html")));
    }
}
