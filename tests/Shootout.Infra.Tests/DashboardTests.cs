using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>The Grafana dashboard and its provisioning, read as Grafana reads them.</summary>
public sealed partial class DashboardTests
{
    private static readonly string[] RequiredPanels =
    [
        "Connections per engine", "Connect rate", "User bytes per connection", "Kernel bytes per connection",
        "Resident memory (RSS)", "Threads", "CPU user vs system", "Echo latency p50 / p99 / p99.9",
        "Throughput", "Errors by kind", "GC heap", "Server CPU per echoed message (32 B)",
    ];

    [Fact]
    public void Dashboard_has_every_panel_the_shootout_needs()
    {
        var dashboard = Dashboard.Load();
        Assert.Equal("Echo Server Shootout", (string?)dashboard.Json["title"]);
        var titles = dashboard.Panels().Select(p => (string?)p["title"]).ToHashSet();
        var missing = RequiredPanels.Where(t => !titles.Contains(t)).ToList();
        Assert.True(missing.Count == 0, "panels missing: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_panel_has_a_unit_a_one_line_description_and_a_query()
    {
        var problems = new List<string>();
        foreach (var panel in Dashboard.Load().Panels())
        {
            string title = (string?)panel["title"] ?? "(untitled)";
            string? unit = (string?)panel["fieldConfig"]?["defaults"]?["unit"];
            string? description = (string?)panel["description"];
            if (string.IsNullOrWhiteSpace(unit)) problems.Add($"{title}: no unit");
            if (string.IsNullOrWhiteSpace(description) || description.Contains('\n')) problems.Add($"{title}: description must be one line");
            if (panel["targets"]?.AsArray() is not { Count: > 0 } targets || targets.Any(t => string.IsNullOrWhiteSpace((string?)t!["expr"])))
                problems.Add($"{title}: no query");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Dashboard_refers_to_the_provisioned_datasource_by_its_pinned_uid()
    {
        string provisioning = File.ReadAllText(Repo.DatasourceProvisioning);
        string uid = UidRegex().Match(provisioning).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(uid), "the datasource provisioning pins no uid");
        string json = File.ReadAllText(Repo.Dashboard);
        Assert.DoesNotContain("${DS_", json);
        Assert.DoesNotContain("__inputs", json);
        var dashboard = Dashboard.Load();
        foreach (var panel in dashboard.Panels())
        {
            Assert.Equal(uid, (string?)panel["datasource"]?["uid"]);
            foreach (var target in panel["targets"]!.AsArray())
                Assert.Equal(uid, (string?)target!["datasource"]?["uid"]);
        }
        foreach (var variable in dashboard.Json["templating"]!["list"]!.AsArray())
            Assert.Equal(uid, (string?)variable!["datasource"]?["uid"]);
    }

    [Fact]
    public void Dashboard_provider_loads_the_folder_compose_mounts_the_dashboards_in()
    {
        string provider = File.ReadAllText(Repo.DashboardProvisioning);
        Assert.Contains("path: /var/lib/grafana/dashboards", provider);
        Assert.Contains("./infra/grafana/dashboards:/var/lib/grafana/dashboards", File.ReadAllText(Repo.ComposeFile));
    }

    [Fact]
    public void Variables_and_interval_macros_resolve_as_grafana_resolves_them()
    {
        var dashboard = Dashboard.Load();
        Assert.Equal(TimeSpan.FromSeconds(1), Dashboard.ScrapeInterval());
        Assert.Equal("rate(x{engine=~\".*\"}[4s])", dashboard.Resolve("rate(x{engine=~\"$engine\"}[$__rate_interval])"));
        Assert.All(dashboard.Queries(), q => Assert.DoesNotContain("$", q.Resolved));
    }

    [GeneratedRegex(@"uid:\s*""?([A-Za-z0-9_-]+)")]
    private static partial Regex UidRegex();
}
