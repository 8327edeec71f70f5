namespace Shootout.Infra.Tests;

/// <summary>The compose Prometheus configuration and the recording rules, as promtool checks them.</summary>
public sealed class PrometheusConfigTests
{
    [Fact]
    public void Promtool_accepts_the_compose_configuration_and_the_rules_it_loads()
    {
        var (exit, output) = ChildProcess.Run(Repo.Tool("promtool", "prometheus"), TimeSpan.FromSeconds(60), Repo.Root,
            "check", "config", Repo.PrometheusConfig);
        Assert.True(exit == 0, $"promtool check config exited {exit}:\n{output}");
        Assert.Contains("SUCCESS: 1 rule files found", output);
    }

    [Fact]
    public void Promtool_accepts_the_recording_rules()
    {
        var (exit, output) = ChildProcess.Run(Repo.Tool("promtool", "prometheus"), TimeSpan.FromSeconds(60), Repo.Root,
            "check", "rules", Repo.RulesFile);
        Assert.True(exit == 0, $"promtool check rules exited {exit}:\n{output}");
    }

    [Fact]
    public void Compose_scrapes_every_second_or_two()
    {
        string config = File.ReadAllText(Repo.PrometheusConfig);
        Assert.Matches(@"scrape_interval: [12]s", config);
        Assert.Matches(@"evaluation_interval: [12]s", config);
    }
}
