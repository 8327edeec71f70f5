using System.Text.Json;
using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Plan;
using Xunit;

namespace Shootout.LoadGen.Tests;

public class AgentsAndInputTests
{
    [Fact]
    [Trait("Category", "WallClock")]
    public void Agents_share_the_connections_and_the_coordinator_merges_their_histograms()
    {
        using var server = new TestEchoServer();
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "hold", "--target", $"127.0.0.1:{server.Port}",
            "--connections", "300", "--connect-rate", "3000", "--duration", "2s", "--heartbeat", "250ms", "--agents", "3", "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var s = r.Summary;
        Assert.Equal(3, (int)s["agents"]!);
        Assert.Equal(300, (int)s["connections"]!["established"]!);
        Assert.Equal(300, (int)s["connections"]!["peak_open"]!);
        // Every connection beats up to 8 times in 2 s (fewer while the ramp and the agents' start eat
        // into it on a busy machine); the merged histogram holds the beats of all three agents.
        Assert.InRange((long)s["messages"]!["ok"]!, 900, 3000);
        Assert.True((double)s["latency_us"]!["p99"]! > 0);
    }

    [Theory]
    [InlineData("--connections", "0", "--connections")]
    [InlineData("--rate", "-5", "--rate")]
    [InlineData("--duration", "ten", "--duration")]
    [InlineData("--connections", "abc", "--connections")]
    [InlineData("--agents", "many", "--agents")]
    public void Invalid_values_get_one_line_naming_the_option_and_exit_2(string option, string value, string named)
    {
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(30), null, "echo", "--target", "127.0.0.1:9", option, value, "--report-dir", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void An_invalid_config_file_names_the_field()
    {
        var dir = LoadGenProcess.NewReportDir();
        var config = Path.Combine(dir, "bad.json");
        File.WriteAllText(config, """{ "target": "127.0.0.1:9", "load_simulations": [ { "Inject": { "rate": -1, "interval": "1s", "during": "2s" } } ] }""");
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(30), null, "echo", "--config", config, "--report-dir", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("load_simulations[0].Inject.rate", Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void Config_accepts_nbomber_arrays_and_named_fields()
    {
        var s = ConfigFile.Parse(JsonDocument.Parse("""
            { "scenario": "echo", "target": "127.0.0.1:7000", "connections": 50,
              "load_simulations": [
                { "RampingInject": [100, "00:00:01", "00:00:05"] },
                { "Inject": { "rate": 400, "interval": "500ms", "during": "10s" } },
                { "Pause": "2s" } ] }
            """).RootElement);
        var (plan, _) = PlanBuilder.Build(s, new Dictionary<string, string?>());
        Assert.Equal(3, plan.Phases.Count);
        Assert.Equal(800, plan.Phases[1].RatePerSecond);
        Assert.Equal(TimeSpan.FromSeconds(17), plan.Duration);
        var schedule = new Schedule(plan);
        Assert.Equal(50, schedule.RateAt(2.5), 3);
        Assert.Equal(800, schedule.RateAt(6));
        Assert.Equal(0, schedule.RateAt(16));
    }

    [Theory]
    [InlineData("""{ "conections": 5 }""", "'conections': unknown field")]
    [InlineData("""{ "load_simulations": [ { "KeepConstant": [10] } ] }""", "load_simulations[0].KeepConstant")]
    [InlineData("""{ "load_simulations": [ { "Ramp": [10, "1s"] } ] }""", "load_simulations[0].Ramp")]
    [InlineData("""{ "duration": "soon" }""", "'duration'")]
    public void Config_errors_name_the_field(string json, string expected)
    {
        var e = Assert.Throws<UsageException>(() => ConfigFile.Parse(JsonDocument.Parse(json).RootElement));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Constant_phases_are_refused_in_the_open_model_with_the_field_named()
    {
        var s = ConfigFile.Parse(JsonDocument.Parse("""{ "target": "127.0.0.1:7000", "load_simulations": [ { "KeepConstant": [10, "5s"] } ] }""").RootElement);
        var e = Assert.Throws<UsageException>(() => PlanBuilder.Build(s with { Scenario = "echo" }, new Dictionary<string, string?>()));
        Assert.Contains("load_simulations[0].KeepConstant", e.Message);
    }

    [Fact]
    public void Shares_partition_the_connections_and_compose()
    {
        var whole = Share.Whole;
        var replica = whole.Split(1, 3);
        var agents = Enumerable.Range(0, 4).Select(i => replica.Split(i, 4)).ToList();
        Assert.Equal(replica.ConnectionsOf(1000), agents.Sum(a => a.ConnectionsOf(1000)));
        Assert.Equal(1000, Enumerable.Range(0, 3).Sum(i => whole.Split(i, 3).ConnectionsOf(1000)));
        var globals = agents.SelectMany(a => Enumerable.Range(0, a.ConnectionsOf(1000)).Select(a.GlobalIndex)).ToHashSet();
        Assert.All(globals, g => Assert.Equal(1, g % 3));
        Assert.Equal(replica.ConnectionsOf(1000), globals.Count);
    }
}
