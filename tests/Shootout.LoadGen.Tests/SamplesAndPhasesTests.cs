using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>Raw per-message samples and per-phase requested-against-achieved rates, against the real server.</summary>
public sealed class SamplesAndPhasesTests : IDisposable
{
    private readonly ServerCopies _server = new(1, "epoll");

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Samples_stream_one_row_per_message_up_to_the_limit()
    {
        var dir = LoadGenProcess.NewReportDir();
        var samples = Path.Combine(dir, "samples.csv");
        var r = LoadGenProcess.Run(dir, TimeSpan.FromMinutes(2), null, "echo", "--target", $"127.0.0.1:{_server.Port}",
            "--connections", "4", "--rate", "200", "--duration", "2s", "--report-dir", dir, "--samples", samples, "--samples-limit", "100");

        Assert.True(r.ExitCode == 0, r.Stderr);
        var lines = File.ReadAllLines(samples);
        Assert.Equal("unix_time_us,connection,latency_us,result", lines[0]);
        Assert.Equal(101, lines.Length);
        var row = lines[1].Split(',');
        Assert.Equal(4, row.Length);
        Assert.InRange(long.Parse(row[0]) / 1_000_000, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.InRange(int.Parse(row[1]), 0, 3);
        Assert.Equal("ok", row[3]);
        Assert.Equal(100, (long)r.Summary["samples"]!["written"]!);
        Assert.Equal((long)r.Summary["messages"]!["ok"]! - 100, (long)r.Summary["samples"]!["dropped"]!);
    }

    [Fact]
    public void Each_phase_reports_the_rate_it_asked_for_and_the_rate_it_got()
    {
        var dir = LoadGenProcess.NewReportDir();
        var config = Path.Combine(dir, "plan.json");
        File.WriteAllText(config, $$"""
            { "scenario": "echo", "target": "127.0.0.1:{{_server.Port}}", "connections": 4,
              "load_simulations": [ { "Inject": [200, "1s", "2s"] }, { "Pause": "1s" }, { "Inject": [50, "1s", "2s"] } ] }
            """);
        var r = LoadGenProcess.Run(dir, TimeSpan.FromMinutes(2), null, "run", "--config", config, "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var phases = r.Summary["phases"]!.AsArray();
        Assert.Equal(["Inject", "Pause", "Inject"], phases.Select(p => (string)p!["kind"]!));
        Assert.Equal([200.0, 0.0, 50.0], phases.Select(p => (double)p!["requested_rate"]!));
        // Messages count in the phase they were scheduled in: each phase's own figure, not one average.
        Assert.InRange((double)phases[0]!["achieved_rate"]!, 150, 210);
        Assert.Equal(0, (double)phases[1]!["achieved_rate"]!);
        Assert.InRange((double)phases[2]!["achieved_rate"]!, 35, 55);
        Assert.Equal((long)phases[0]!["scheduled"]!, (long)phases[0]!["ok"]!);
        Assert.True((long)r.Summary["first_byte_latency_us"]!["count"]! > 0);
    }
}
