using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// The shootout as the dashboard sees it, all real and on loopback: the three servers, node-exporter
/// (meminfo only) for the kernel's slab, a Prometheus scraping them every second with the project's
/// recording rules, and the load generator against each engine: a slow hold ramp (connections,
/// connect rate and connect latency keep moving) beside an echo run (latency, throughput). One more
/// server, kept at two connections, rejects a third and fourth, so the error panels have errors to
/// show. Every process is stopped by its PID on dispose.
/// </summary>
public sealed partial class LiveShootout : IDisposable
{
    public static readonly string[] Engines = ["threads", "async", "epoll"];
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(150);
    private readonly List<TestProcess> _processes = [];
    private readonly string _dir;

    public PrometheusApi Prometheus { get; }
    public IReadOnlyList<TestProcess> LoadGenerators { get; }

    public LiveShootout()
    {
        _dir = Directory.CreateTempSubdirectory("shootout-infra-").FullName;
        try
        {
            int nodePort = Ports.Free();
            Add(Start("node-exporter", Repo.Tool("prometheus-node-exporter", "prometheus-node-exporter"),
                [$"--web.listen-address=127.0.0.1:{nodePort}", "--collector.disable-defaults", "--collector.meminfo"]));

            var servers = new List<(string Engine, int Port, int MetricsPort)>();
            foreach (var engine in Engines)
            {
                int metricsPort = Ports.Free();
                int port = StartServer(engine, "--metrics-port", metricsPort.ToString(CultureInfo.InvariantCulture), "--metrics-bind", "127.0.0.1");
                servers.Add((engine, port, metricsPort));
            }
            int fullServerPort = StartServer("epoll", "--metrics-port", "0", "--max-connections", "2");

            // The load generators' metrics ports are chosen now so Prometheus has them from the start.
            var loads = new List<(string Name, string[] Args)>();
            foreach (var (engine, port, _) in servers)
            {
                loads.Add(($"loadgen hold {engine}", ["hold", "--target", $"127.0.0.1:{port}", "--connections", "150", "--connect-rate", "12"]));
                loads.Add(($"loadgen echo {engine}", ["echo", "--target", $"127.0.0.1:{port}", "--connections", "10", "--rate", "200"]));
            }
            // Light probes beside one flood (small writes: the flood is there to be measured, not to load the machine).
            loads.Add(("loadgen neighbours threads", ["neighbours", "--target", $"127.0.0.1:{servers[0].Port}", "--floods", "1", "--message-size", "1KiB",
                "--window", "1KiB", "--never-reading", "1", "--probes", "2", "--probe-interval", "50ms"]));
            loads.Add(("loadgen echo over the limit", ["echo", "--target", $"127.0.0.1:{fullServerPort}", "--connections", "4", "--rate", "20"]));
            var loadPorts = loads.Select(_ => Ports.Free()).ToList();

            int prometheusPort = Ports.Free();
            string config = Path.Combine(_dir, "prometheus.yml");
            File.WriteAllText(config, PrometheusConfig(servers, loadPorts, nodePort));
            Add(Start("prometheus", Repo.Tool("prometheus", "prometheus"),
                [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_dir, "data")}",
                 $"--web.listen-address=127.0.0.1:{prometheusPort}", "--storage.tsdb.retention.time=1h"]));
            Prometheus = new PrometheusApi($"http://127.0.0.1:{prometheusPort}");
            Wait.Until(Prometheus.IsReady, TimeSpan.FromSeconds(30), "Prometheus to be ready\n" + _processes[^1].Output, TimeSpan.FromMilliseconds(200));

            // Kernel bytes per connection is measured from the slab while no server holds a
            // connection: let Prometheus record that baseline before any load starts.
            Wait.Until(() => Prometheus.Query("shootout:node_memory_slab_bytes:idle").HasData, TimeSpan.FromSeconds(30),
                "Prometheus to record the idle kernel slab (node-exporter and all three servers scraped with no connections)",
                TimeSpan.FromMilliseconds(250));

            var loadGenerators = new List<TestProcess>();
            for (int i = 0; i < loads.Count; i++)
            {
                var (name, args) = loads[i];
                var process = Start(name, Repo.Built("shootout-loadgen"),
                    [.. args, "--duration", $"{(int)LoadDuration.TotalSeconds}s", "--plain",
                     "--metrics-port", loadPorts[i].ToString(CultureInfo.InvariantCulture),
                     "--report-dir", Path.Combine(_dir, $"report-{i}")]);
                Add(process);
                loadGenerators.Add(process);
            }
            LoadGenerators = loadGenerators;

            // Queries are answered under load: every engine holds its echo connections and more.
            Wait.Until(() => Prometheus.Query("min(shootout_server_connections) >= 20").HasData || loadGenerators.Any(p => p.HasExited),
                TimeSpan.FromSeconds(30), "every engine to hold 20 connections", TimeSpan.FromMilliseconds(250));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Queries every expression until each has returned data (a finite value) at least once, or the
    /// timeout passes; returns the ones that never did, each with its last outcome.
    /// </summary>
    public IReadOnlyList<string> ExpressionsWithoutData(IEnumerable<(string Label, string Expr)> expressions, TimeSpan timeout,
        Action<string>? log = null)
    {
        var pending = expressions.ToDictionary(e => e.Label, e => (e.Expr, Last: new QueryOutcome(0, 0, "not queried")));
        var deadline = DateTime.UtcNow + timeout;
        while (pending.Count > 0 && DateTime.UtcNow < deadline)
        {
            foreach (var (label, (expr, _)) in pending.ToList())
            {
                var outcome = Prometheus.Query(expr);
                if (outcome.HasData)
                {
                    pending.Remove(label);
                    log?.Invoke($"{label}\n    -> {outcome.Sample}{(outcome.Finite > 1 ? $" (+{outcome.Finite - 1} more)" : "")}");
                }
                else
                    pending[label] = (expr, outcome);
            }
            if (pending.Count > 0)
                Thread.Sleep(1000);
        }
        return pending.Select(p => $"{p.Key}: {p.Value.Last}").ToList();
    }

    /// <summary>What the load generators said, for a failure message.</summary>
    public string Diagnostics()
    {
        var sb = new StringBuilder();
        foreach (var p in _processes)
        {
            sb.Append($"--- {p.Name} (pid {p.Pid}){(p.HasExited ? $", exited {p.ExitCode}" : ", running")}\n");
            sb.Append(p.Tail(p.HasExited && p.ExitCode != 0 ? 40 : 4)).Append('\n');
        }
        return sb.ToString();
    }

    public void Dispose()
    {
        // Load first, then what it loads, then what watches it.
        for (int i = _processes.Count - 1; i >= 0; i--)
            _processes[i].Dispose();
        _processes.Clear();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private int StartServer(string engine, params string[] extra)
    {
        var server = Start($"{engine} server", Repo.Built("shootout-server"),
            ["--engine", engine, "--port", "0", "--bind", "127.0.0.1", .. extra]);
        Add(server);
        var m = server.WaitForLine(ListeningRegex(), TimeSpan.FromSeconds(30));
        return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private void Add(TestProcess process) => _processes.Add(process);

    private static TestProcess Start(string name, string executable, string[] args) =>
        TestProcess.Start(executable, args, new ProcessOptions { Name = name });

    /// <summary>
    /// Shaped like the Prometheus `make run` starts: the project's rules file, job shootout-server with
    /// targets labelled engine=..., job shootout-loadgen; scrape and evaluation every second.
    /// </summary>
    private static string PrometheusConfig(IEnumerable<(string Engine, int Port, int MetricsPort)> servers, IEnumerable<int> loadPorts, int nodePort)
    {
        var sb = new StringBuilder();
        sb.Append("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n");
        sb.Append($"rule_files:\n  - \"{Repo.RulesFile}\"\n");
        sb.Append("scrape_configs:\n  - job_name: shootout-server\n    static_configs:\n");
        foreach (var (engine, _, metricsPort) in servers)
            sb.Append($"      - targets: [\"127.0.0.1:{metricsPort}\"]\n        labels: {{ engine: {engine} }}\n");
        sb.Append("  - job_name: shootout-loadgen\n    static_configs:\n      - targets: [");
        sb.AppendJoin(", ", loadPorts.Select(p => $"\"127.0.0.1:{p}\""));
        sb.Append("]\n");
        sb.Append($"  - job_name: node\n    static_configs:\n      - targets: [\"127.0.0.1:{nodePort}\"]\n");
        return sb.ToString();
    }

    [GeneratedRegex(@"listening=\S+:(\d+)")]
    private static partial Regex ListeningRegex();
}
