namespace Shootout.Runner.Tests;

/// <summary>One tiny run of one engine with the "beside heavy neighbours" phase: its figures reach summary.json, the table, the reports and a chart.</summary>
public sealed class NeighboursPhaseFixture
{
    internal RunnerProcess.Result Run { get; } = RunnerProcess.Run(TimeSpan.FromMinutes(3),
        [.. RunnerProcess.Tiny, "--engines", "epoll", "--no-prometheus"]);
}

public sealed class NeighboursPhaseTests(NeighboursPhaseFixture fixture) : IClassFixture<NeighboursPhaseFixture>
{
    private readonly RunnerProcess.Result _run = fixture.Run;

    [Fact]
    public void The_phase_reports_probe_latency_and_the_floods_fairness_in_summary_json()
    {
        Assert.True(_run.ExitCode == 0, _run.ToString());
        var n = _run.Summary["engines"]!["epoll"]!["neighbours"]!;
        // The tiny run's scale: 2 floods, 10 probes, 1 s.
        Assert.Equal(2, n["floods"]!.GetValue<int>());
        Assert.Equal(1, n["never_reading"]!.GetValue<int>());
        Assert.Equal(10, n["probes"]!.GetValue<int>());
        // 10 probes every 10 ms for 1 s: about a thousand round trips, every one answered.
        Assert.InRange(n["probe_messages"]!.GetValue<long>(), 500, 2000);
        Assert.True(n["probe_messages_failed"]!.GetValue<long>() == 0, n.ToJsonString());
        var lat = n["probe_latency_us"]!;
        double p50 = lat["p50"]!.GetValue<double>(), p99 = lat["p99"]!.GetValue<double>(), max = lat["max"]!.GetValue<double>();
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= max, lat.ToJsonString());
        Assert.True(n["mean_flood_bytes_per_s"]!.GetValue<double>() > 0);
        Assert.InRange(n["jain_index"]!.GetValue<double>(), 0.5, 1.0);
        Assert.InRange(n["slowest_flood_over_mean"]!.GetValue<double>(), 0, 1.0);
        Assert.True(File.Exists(Path.Combine(_run.RunDir, "epoll", "neighbours", "summary.json")), "the loadgen's own reports are kept beside the run's");
    }

    [Fact]
    public void The_table_and_the_reports_have_its_columns_and_its_chart()
    {
        foreach (var column in new[] { "neighbours p50 µs", "neighbours p99 µs", "fairness (Jain)" })
        {
            Assert.Contains(column, _run.Stdout);
            Assert.Contains(column, File.ReadAllText(Path.Combine(_run.RunDir, "report.md")));
        }
        var html = File.ReadAllText(Path.Combine(_run.RunDir, "report.html"));
        Assert.Contains("data-chart=\"neighbours\"", html);
        Assert.Contains("fairness (Jain)", html);
        Assert.True(File.Exists(Path.Combine(_run.RunDir, "neighbours.png")), "no neighbours.png beside report.md");
    }
}
