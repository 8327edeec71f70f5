using System.Text.RegularExpressions;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Tests;

/// <summary>The per-run Prometheus: a config the real promtool accepts, and a real prometheus started and stopped by PID.</summary>
public sealed class PrometheusTests
{
    private static string Promtool =>
        new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("promtool is not installed (Debian package 'prometheus'; .ci/run installs it)");

    [Fact]
    public void Generated_config_passes_promtool_with_and_without_rules()
    {
        string dir = Directory.CreateTempSubdirectory("runner-test-prom-").FullName;
        string rules = Path.Combine(dir, "rules.yml");
        File.WriteAllText(rules, "groups:\n  - name: t\n    rules:\n      - record: shootout:connections:sum\n        expr: sum(shootout_server_connections)\n");
        var servers = new[] { new ScrapeTarget(9101, "threads"), new ScrapeTarget(9102, "threads"), new ScrapeTarget(9103, "epoll") };
        var loadgens = new[] { new ScrapeTarget(9201, "threads", "hold"), new ScrapeTarget(9202, "threads", "echo") };

        foreach (var rulesPath in new[] { null, rules })
        {
            string config = LocalPrometheus.Config(rulesPath, servers, loadgens);
            string path = Path.Combine(dir, rulesPath is null ? "plain.yml" : "rules-config.yml");
            File.WriteAllText(path, config);
            var (code, stdout, stderr) = RunnerProcess.Exec(Promtool, ["check", "config", path], TimeSpan.FromSeconds(30));
            Assert.True(code == 0, $"promtool: {stdout}\n{stderr}\n{config}");
            Assert.Contains("scrape_interval: 1s", config);
            Assert.Contains("job_name: \"shootout-server\"", config);
            Assert.Contains("job_name: \"shootout-loadgen\"", config);
            Assert.Contains("targets: [\"127.0.0.1:9101\", \"127.0.0.1:9102\"]", config);
            Assert.Contains("labels: { engine: \"epoll\" }", config);
            Assert.Contains("labels: { engine: \"threads\", phase: \"hold\" }", config);
            Assert.Equal(rulesPath is not null, config.Contains("rule_files:"));
            if (rulesPath is not null) Assert.Contains("1 rules found", stdout + stderr);
        }
    }

    [Fact]
    public void A_run_starts_prometheus_on_its_servers_prints_the_url_and_stops_it()
    {
        var run = RunnerProcess.Run(TimeSpan.FromMinutes(2), [.. RunnerProcess.Tiny, "--engines", "epoll", "--prometheus-port", "19390"]);

        Assert.True(run.ExitCode == 0, run.ToString());
        var started = Regex.Match(run.Stdout, @"prometheus: (?<url>http://127\.0\.0\.1:(?<port>\d+)) \(pid (?<pid>\d+)\)");
        Assert.True(started.Success, run.Stdout);
        Assert.True(int.Parse(started.Groups["port"].Value) >= 19390);
        int pid = int.Parse(started.Groups["pid"].Value);
        Assert.Contains($"prometheus (pid {pid}) stopped", run.Stdout);
        Assert.False(IsPrometheus(pid), $"prometheus pid {pid} still runs");

        string config = File.ReadAllText(Path.Combine(run.RunDir, "prometheus.yml"));
        int serverMetricsPort = int.Parse(Regex.Match(File.ReadAllText(Path.Combine(run.RunDir, "epoll", "server-epoll-0.log")),
            @"metrics=http://127\.0\.0\.1:(\d+)/metrics").Groups[1].Value);
        Assert.Contains($"\"127.0.0.1:{serverMetricsPort}\"", config);
        string repoRules = Path.Combine(RunnerProcess.RepoRoot, "infra", "prometheus", "rules.yml");
        Assert.Equal(File.Exists(repoRules), config.Contains(repoRules));
        Assert.True(Directory.Exists(Path.Combine(run.RunDir, "prometheus", "wal")), "prometheus kept its data in the results directory");
    }

    private static bool IsPrometheus(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").Trim() == "prometheus";
        }
        catch (IOException)
        {
            return false;
        }
    }
}
