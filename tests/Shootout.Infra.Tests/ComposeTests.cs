using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>docker-compose.yml, as a real compose implementation (Debian's docker-compose) reads it.</summary>
public sealed partial class ComposeTests
{
    private static readonly string[] Engines = ["threads", "async", "epoll", "uring"];
    private static readonly Lazy<Dictionary<string, string>> Normalized = new(() => LoadNormalized());

    [Fact]
    public void Compose_file_parses_with_docker_compose()
    {
        var (exit, output) = ChildProcess.Run(Repo.Tool("docker-compose", "docker-compose"), TimeSpan.FromSeconds(60), Repo.Root,
            "-f", Repo.ComposeFile, "config", "-q");
        Assert.True(exit == 0, $"docker-compose config -q exited {exit}:\n{output}");
    }

    [Fact]
    public void Compose_has_the_engines_the_load_generator_prometheus_grafana_and_the_sysctl_init()
    {
        var services = Normalized.Value;
        foreach (var name in Engines.Concat(["loadgen", "prometheus", "grafana", "node-exporter", "netns", "host-sysctls"]))
            Assert.True(services.ContainsKey(name), $"service '{name}' missing; services: {string.Join(", ", services.Keys)}");
        foreach (var engine in Engines)
            Assert.Matches($"- --engine\\s+- {engine}\\b", services[engine]);
        // One image built from the Dockerfile under infra/docker, context the repository root.
        foreach (var name in Engines.Append("loadgen"))
        {
            Assert.Contains("dockerfile: infra/docker/Dockerfile", services[name]);
            Assert.Matches(@"context: \S+", services[name]);
        }
        Assert.True(File.Exists(Repo.File("infra/docker/Dockerfile")), "infra/docker/Dockerfile missing");
        Assert.Contains("SHOOTOUT_CONNECTIONS: '1000000'", services["loadgen"]);
    }

    [Fact]
    public void Every_process_that_holds_connections_may_open_more_than_a_million_files()
    {
        var services = Normalized.Value;
        foreach (var name in Engines.Append("loadgen"))
        {
            var m = NofileRegex().Match(services[name]);
            Assert.True(m.Success, $"{name}: no ulimits.nofile in\n{services[name]}");
            Assert.True(long.Parse(m.Groups["hard"].Value) >= 1_100_000 && long.Parse(m.Groups["soft"].Value) >= 1_100_000,
                $"{name}: nofile {m.Value} is below 1,100,000");
        }
    }

    [Fact]
    public void Host_limits_are_settings_with_todays_values_as_defaults()
    {
        var defaults = Normalized.Value;
        var lowered = LoadNormalized(("SHOOTOUT_NOFILE", "20000"), ("SHOOTOUT_NPROC", "96000"));
        foreach (var name in Engines.Append("loadgen"))
        {
            Assert.Matches(@"nproc: -1\b", defaults[name]);
            Assert.Matches(@"nofile:\s+hard: 20000\s+soft: 20000", lowered[name]);
            Assert.Matches(@"nproc: 96000\b", lowered[name]);
        }
    }

    [Fact]
    public void Every_knob_the_scripts_read_is_passed_through_by_the_service_that_runs_them()
    {
        // Fixed by the stack itself: SHOOTOUT_RESULTS is where the results volume is mounted, the metrics
        // ports are the ones infra/prometheus/prometheus.yml scrapes.
        string[] fixedByTheStack = ["SHOOTOUT_RESULTS", "SHOOTOUT_HOLD_METRICS_PORT", "SHOOTOUT_ECHO_METRICS_PORT"];
        var scripts = new (string Service, string Script)[] { ("loadgen", "infra/docker/shootout-drive.sh"), ("host-sysctls", "infra/docker/host-sysctls.sh") };
        var knobs = scripts.SelectMany(s => KnobRegex().Matches(File.ReadAllText(Repo.File(s.Script))).Select(m => (s.Service, Knob: m.Groups[1].Value)))
            .Where(k => !fixedByTheStack.Contains(k.Knob)).Distinct().ToList();
        Assert.Contains(("loadgen", "SHOOTOUT_SETTLE_SECONDS"), knobs);
        Assert.Contains(("host-sysctls", "SHOOTOUT_NR_OPEN"), knobs);
        var set = LoadNormalized(knobs.Select(k => (k.Knob, k.Knob == "SHOOTOUT_HOST_SYSCTLS" ? "off" : "4242")).ToArray());
        var missing = knobs.Where(k => !Regex.IsMatch(set[k.Service], $@"\b{k.Knob}: [""']?{(k.Knob == "SHOOTOUT_HOST_SYSCTLS" ? "off" : "4242")}\b")).ToList();
        Assert.True(missing.Count == 0, "not passed through: " + string.Join(", ", missing.Select(k => $"{k.Service}: {k.Knob}")));
    }

    [Fact]
    public void Engines_share_one_definition_and_differ_only_in_command_and_metrics_port()
    {
        var services = Normalized.Value;
        string Shared(string engine) =>
            SeccompRegex().Replace(MetricsPortRegex().Replace(CommandRegex().Replace(services[engine], ""), ""), "");
        foreach (var engine in Engines.Skip(1))
            Assert.Equal(Shared(Engines[0]), Shared(engine));
        string compose = File.ReadAllText(Repo.ComposeFile);
        foreach (var engine in Engines)
            Assert.Matches($@"\n  {engine}:\n    <<: \*engine\n", compose);
    }

    [Fact]
    public void Only_the_io_uring_engine_runs_without_the_default_seccomp_profile()
    {
        // Docker's and podman's default profiles block io_uring_setup; nothing else needs relaxing.
        var services = Normalized.Value;
        Assert.Matches(@"security_opt:\s+- seccomp=unconfined\n", services["uring"]);
        foreach (var name in Engines.Where(e => e != "uring").Concat(["loadgen", "prometheus", "node-exporter", "netns"]))
            Assert.DoesNotContain("security_opt", services[name]);
        Assert.DoesNotContain("privileged", services["uring"]);
    }

    [Fact]
    public void Load_traffic_stays_in_one_network_namespace_with_its_own_sysctls()
    {
        var services = Normalized.Value;
        foreach (var name in Engines.Concat(["loadgen", "prometheus", "node-exporter"]))
            Assert.Contains("network_mode: service:netns", services[name]);
        Assert.Contains("net.ipv4.ip_local_port_range: 1024 65535", services["netns"]);
        Assert.Matches(@"net\.core\.somaxconn: '\d{5,}'", services["netns"]);
        // Host-wide limits come from the one privileged one-shot service every other one waits for.
        Assert.Contains("privileged: true", services["host-sysctls"]);
        foreach (var name in Engines.Append("netns"))
            Assert.Matches(@"host-sysctls:\s+condition: service_completed_successfully", services[name]);
        string script = File.ReadAllText(Repo.File("infra/docker/host-sysctls.sh"));
        foreach (var key in new[] { "fs.nr_open", "fs.file-max", "vm.max_map_count", "kernel.pid_max", "kernel.threads-max" })
            Assert.Contains($"raise {key} ", script);
    }

    [Fact]
    public void Load_generator_starts_only_when_servers_and_prometheus_are_healthy()
    {
        var services = Normalized.Value;
        foreach (var name in Engines.Append("prometheus"))
        {
            Assert.Matches($@"{name}:\s+condition: service_healthy", services["loadgen"]);
            Assert.Contains("healthcheck:", services[name]);
        }
    }

    [Fact]
    public void Grafana_is_provisioned_and_anonymous_viewers_get_in()
    {
        var grafana = Normalized.Value["grafana"];
        Assert.Contains("GF_AUTH_ANONYMOUS_ENABLED: \"true\"", grafana);
        Assert.Contains("GF_AUTH_ANONYMOUS_ORG_ROLE: Viewer", grafana);
        Assert.Matches(@"published: 3000\s+target: 3000", grafana);
        Assert.Matches(@"/infra/grafana/provisioning:/etc/grafana/provisioning:ro", grafana);
        Assert.Matches(@"/infra/grafana/dashboards:/var/lib/grafana/dashboards:ro", grafana);
        Assert.Matches(@"/infra/prometheus:/etc/prometheus:ro", Normalized.Value["prometheus"]);
    }

    /// <summary>
    /// `docker-compose config` (anchors merged, defaults applied, <paramref name="env"/> as the environment
    /// gives it: an --env-file), split into one block per service.
    /// </summary>
    private static Dictionary<string, string> LoadNormalized(params (string Name, string Value)[] env)
    {
        string envFile = Path.GetTempFileName();
        string output;
        try
        {
            File.WriteAllLines(envFile, env.Select(e => $"{e.Name}={e.Value}"));
            int exit;
            (exit, output) = ChildProcess.Run(Repo.Tool("docker-compose", "docker-compose"), TimeSpan.FromSeconds(60), Repo.Root,
                "--env-file", envFile, "-f", Repo.ComposeFile, "config");
            Assert.True(exit == 0, $"docker-compose config exited {exit}:\n{output}");
        }
        finally
        {
            File.Delete(envFile);
        }
        var services = new Dictionary<string, string>();
        string? current = null;
        var block = new List<string>();
        bool inServices = false;
        foreach (var line in output.Split('\n'))
        {
            if (!line.StartsWith(' ') && line.Length > 0)
            {
                Flush();
                inServices = line == "services:";
                continue;
            }
            if (!inServices)
                continue;
            var header = ServiceHeaderRegex().Match(line);
            if (header.Success)
            {
                Flush();
                current = header.Groups[1].Value;
            }
            else if (current is not null)
            {
                block.Add(line);
            }
        }
        Flush();
        return services;

        void Flush()
        {
            if (current is not null)
                services[current] = string.Join('\n', block);
            current = null;
            block.Clear();
        }
    }

    [GeneratedRegex(@"^  ([A-Za-z0-9_.-]+):\s*$")]
    private static partial Regex ServiceHeaderRegex();

    [GeneratedRegex(@"nofile:\s+hard: (?<hard>\d+)\s+soft: (?<soft>\d+)")]
    private static partial Regex NofileRegex();

    [GeneratedRegex(@"\$\{(SHOOTOUT_[A-Z_]+):-")]
    private static partial Regex KnobRegex();

    [GeneratedRegex(@"    security_opt:\n(    - .*\n)+")]
    private static partial Regex SeccompRegex();

    [GeneratedRegex(@"    command:\n(    - .*\n)+")]
    private static partial Regex CommandRegex();

    [GeneratedRegex(@"SHOOTOUT_METRICS_PORT: '\d+'")]
    private static partial Regex MetricsPortRegex();
}
