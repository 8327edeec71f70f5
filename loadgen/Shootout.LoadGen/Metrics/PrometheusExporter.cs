using Prometheus;
using Shootout.Common;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Metrics;

/// <summary>
/// Serves the run's metrics on --metrics-port. A private registry keeps out prometheus-net's default
/// process metrics (one of which walks every open file descriptor: O(connections) per scrape).
/// Replicas on several machines each export their share; Prometheus adds them up.
/// </summary>
internal sealed class PrometheusExporter : IDisposable
{
    private readonly MetricServer _server;
    private readonly Gauge.Child _connections;
    private readonly Counter.Child _ok, _failed, _attempts, _established, _connectFailed;
    private readonly Histogram _latency, _connect;
    private readonly Counter _errors;
    private readonly string _target;
    private readonly Gauge _scenarioConnections;
    private readonly Counter _scenarioMessages, _scenarioErrors;
    private readonly Histogram _scenarioLatency;
    private readonly Counter _connectionProgress;
    private readonly Dictionary<(string Scenario, long Connection), long> _progressSeen = new();

    public PrometheusExporter(int port, string target)
    {
        _target = target;
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _connections = factory.CreateGauge("shootout_loadgen_connections", "Open client connections.", "target").WithLabels(target);
        var messages = factory.CreateCounter("shootout_loadgen_messages_total", "Echo round trips by result.", "target", "result");
        _ok = messages.WithLabels(target, "ok");
        _failed = messages.WithLabels(target, "failed");
        // Exact counts (the connect histogram's count is not: values outside its range are clamped or dropped),
        // so whoever drives a ramp can tell when every connection has been tried.
        var connects = factory.CreateCounter("shootout_loadgen_connects_total", "Connection attempts by result.", "target", "result");
        _established = connects.WithLabels(target, "established");
        _connectFailed = connects.WithLabels(target, "failed");
        // Started minus ended is what is still connecting: handshakes the kernel finishes even while this
        // process is stopped, which a ramp stopped at a memory wall must still count on being accepted.
        _attempts = factory.CreateCounter("shootout_loadgen_connect_attempts_total", "Connection attempts started.", "target").WithLabels(target);
        // Fine buckets from 10 µs (×1.5 each) up to ~10 s.
        var buckets = Histogram.ExponentialBuckets(0.00001, 1.5, 35);
        _latency = factory.CreateHistogram("shootout_loadgen_latency_seconds", "Echo round-trip latency (from the scheduled send time in the open model).",
            new HistogramConfiguration { Buckets = buckets, LabelNames = ["target"] });
        _connect = factory.CreateHistogram("shootout_loadgen_connect_seconds", "TCP connect latency.",
            new HistogramConfiguration { Buckets = buckets, LabelNames = ["target"] });
        _errors = factory.CreateCounter("shootout_loadgen_errors_total", "Errors by kind.", "target", "kind");
        // The same figures per scenario (a scenario label), beside the run's totals above: dashboards that sum by
        // target keep working, and a fairness or neighbours panel reads one scenario.
        _scenarioConnections = factory.CreateGauge("shootout_loadgen_scenario_connections", "Open client connections, per scenario.",
            "target", "scenario");
        _scenarioMessages = factory.CreateCounter("shootout_loadgen_scenario_messages_total", "Echo round trips by result, per scenario.",
            "target", "scenario", "result");
        _scenarioErrors = factory.CreateCounter("shootout_loadgen_scenario_errors_total", "Errors by kind, per scenario.", "target", "scenario", "kind");
        _scenarioLatency = factory.CreateHistogram("shootout_loadgen_scenario_latency_seconds",
            "Echo round-trip latency per scenario (from the scheduled send time in the open model).",
            new HistogramConfiguration { Buckets = buckets, LabelNames = ["target", "scenario"] });
        // Per connection of a small scenario (Tick.LiveProgress): how evenly floods share the server, live, in PromQL
        // (Jain's index and the slowest over the mean over the rates; infra/prometheus/rules.yml).
        _connectionProgress = factory.CreateCounter("shootout_loadgen_scenario_connection_progress_total",
            "Each connection's own progress, per scenario of at most 64 connections: bytes echoed (flood), bytes written (never-reading), "
            + "or messages echoed.", "target", "scenario", "connection");
        _server = HttpListenerStart.Start(() => new MetricServer(port: port, registry: registry), server => server.Start());
    }

    public void Observe(Tick tick, long aliveTotal, string scenario, long scenarioAlive)
    {
        _scenarioConnections.WithLabels(_target, scenario).Set(scenarioAlive);
        _scenarioMessages.WithLabels(_target, scenario, "ok").Inc(tick.Ok);
        _scenarioMessages.WithLabels(_target, scenario, "failed").Inc(tick.Failed);
        foreach (var (kind, n) in tick.Errors) _scenarioErrors.WithLabels(_target, scenario, kind).Inc(n);
        var scenarioLatency = _scenarioLatency.WithLabels(_target, scenario);
        foreach (var v in tick.Latency.RecordedValues())
            scenarioLatency.Observe(v.ValueIteratedTo / 1e6, v.CountAtValueIteratedTo);
        foreach (var (connection, progress) in tick.LiveProgress ?? [])
        {
            long seen = _progressSeen.GetValueOrDefault((scenario, connection));
            if (progress <= seen) continue;
            _connectionProgress.WithLabels(_target, scenario, connection.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc(progress - seen);
            _progressSeen[(scenario, connection)] = progress;
        }
        _connections.Set(aliveTotal);
        _ok.Inc(tick.Ok);
        _failed.Inc(tick.Failed);
        _attempts.Inc(tick.Attempts);
        _established.Inc(tick.Established);
        _connectFailed.Inc(tick.ConnectFailed);
        foreach (var (kind, n) in tick.Errors) _errors.WithLabels(_target, kind).Inc(n);
        var latency = _latency.WithLabels(_target);
        foreach (var v in tick.Latency.RecordedValues())
            latency.Observe(v.ValueIteratedTo / 1e6, v.CountAtValueIteratedTo);
        var connect = _connect.WithLabels(_target);
        foreach (var v in tick.Connect.RecordedValues())
            connect.Observe(v.ValueIteratedTo / 1e6, v.CountAtValueIteratedTo);
    }

    public void Dispose() => _server.Dispose();
}
