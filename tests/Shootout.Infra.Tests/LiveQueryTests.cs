using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Shootout.Infra.Tests;

/// <summary>
/// Every PromQL expression of every dashboard panel and every recording rule returns data from a
/// real Prometheus scraping the real servers under a real load generator run.
/// </summary>
public sealed partial class LiveQueryTests(LiveShootout shootout, ITestOutputHelper output) : IClassFixture<LiveShootout>
{
    private static readonly TimeSpan DataTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Every_dashboard_panel_query_returns_data()
    {
        var queries = Dashboard.Load().Queries();
        Assert.NotEmpty(queries);
        var missing = shootout.ExpressionsWithoutData(
            queries.Select(q => ($"panel '{q.Panel}' {q.RefId}: {q.Resolved}", q.Resolved)), DataTimeout, output.WriteLine);
        Assert.True(missing.Count == 0,
            $"{missing.Count} of {queries.Count} panel queries returned no data:\n{string.Join('\n', missing)}\n{shootout.Diagnostics()}");
    }

    [Fact]
    public void Every_recording_rule_returns_data()
    {
        var rules = shootout.Prometheus.RecordingRules();
        int inFile = RecordRegex().Matches(File.ReadAllText(Repo.RulesFile)).Count;
        Assert.True(rules.Count == inFile && inFile > 0, $"Prometheus loaded {rules.Count} recording rules, {Repo.RulesFile} has {inFile}");
        // A rule "returns data" when it has recorded a finite value during the run: the idle kernel
        // baseline, for one, is recorded only before the load starts.
        var missing = shootout.ExpressionsWithoutData(
            rules.Select(r => ($"rule {r.Record}", $"last_over_time({r.Record}[10m])")), DataTimeout, output.WriteLine);
        if (missing.Count > 0)
        {
            var health = shootout.Prometheus.RecordingRules()
                .Select(r => $"{r.Record}: health {r.Health}{(r.LastError is { Length: > 0 } e ? ", " + e : "")}");
            Assert.Fail($"{missing.Count} of {rules.Count} recording rules returned no data:\n{string.Join('\n', missing)}\n" +
                        $"{string.Join('\n', health)}\n{shootout.Diagnostics()}");
        }
    }

    [Fact]
    public void The_load_ran_against_every_engine_while_the_queries_were_answered()
    {
        // The data above came from live runs: every load generator still running, each engine's
        // server counting connections the load generators opened.
        var exited = shootout.LoadGenerators.Where(p => p.HasExited).Select(p => $"{p.Name} exited {p.ExitCode}").ToList();
        Assert.True(exited.Count == 0, string.Join('\n', exited) + "\n" + shootout.Diagnostics());
        var missing = shootout.ExpressionsWithoutData(LiveShootout.Engines.Select(e =>
            ($"{e} connections", $"engine:shootout_server_connections:sum{{engine=\"{e}\"}} >= 150")), DataTimeout);
        Assert.True(missing.Count == 0, string.Join('\n', missing) + "\n" + shootout.Diagnostics());
    }

    [GeneratedRegex(@"^\s*- record:", RegexOptions.Multiline)]
    private static partial Regex RecordRegex();
}
