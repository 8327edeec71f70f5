using Prometheus;
using Shootout.Common;
using Shootout.Server.Core;

namespace Shootout.Server;

/// <summary>
/// The /metrics endpoint. Values are copied from <see cref="ServerStats"/> and /proc/self just
/// before each scrape, so engines pay nothing for metrics between scrapes.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    private readonly MetricServer _server;

    public ServerMetrics(string engine, ServerStats stats, long baselineBytes, string bindHost, int port)
    {
        var registry = Metrics.NewCustomRegistry(); // a custom registry carries none of the default process metrics
        var factory = Metrics.WithCustomRegistry(registry);
        string[] engineLabel = ["engine"];

        var connections = factory.CreateGauge("shootout_server_connections", "Connections open now.", engineLabel).WithLabels(engine);
        var accepted = factory.CreateCounter("shootout_server_connections_accepted_total", "Connections accepted.", engineLabel).WithLabels(engine);
        var rejected = factory.CreateCounter(
            "shootout_server_connections_rejected_total", "Connections the server refused or closed itself, by reason.", "engine", "reason");
        var echoed = factory.CreateCounter("shootout_server_bytes_echoed_total", "Bytes echoed back to clients.", engineLabel).WithLabels(engine);
        var resident = factory.CreateGauge("shootout_server_resident_memory_bytes", "Resident set size (VmRSS).", engineLabel).WithLabels(engine);
        var baseline = factory.CreateGauge(
            "shootout_server_baseline_memory_bytes", "RSS once listening, before the first connection.", engineLabel).WithLabels(engine);
        var cpu = factory.CreateCounter("shootout_server_cpu_seconds_total", "CPU time spent by the process, by mode (user, system).", "engine", "mode");
        var threads = factory.CreateGauge("shootout_server_threads", "OS threads in the process.", engineLabel).WithLabels(engine);
        var gcHeap = factory.CreateGauge(
            "shootout_server_gc_heap_bytes", "Managed heap size after the last GC plus what was allocated since.", engineLabel).WithLabels(engine);

        baseline.Set(baselineBytes);
        var rejectedByReason = RejectReasons.All.Select(r => (r, rejected.WithLabels(engine, r.Label()))).ToArray();
        var cpuUser = cpu.WithLabels(engine, "user");
        var cpuSystem = cpu.WithLabels(engine, "system");

        registry.AddBeforeCollectCallback(() =>
        {
            var sample = ProcessStats.Read();
            connections.Set(stats.OpenConnections);
            accepted.IncTo(stats.Accepted);
            foreach (var (reason, counter) in rejectedByReason)
                counter.IncTo(stats.Rejected(reason));
            echoed.IncTo(stats.BytesEchoed);
            resident.Set(sample.ResidentBytes);
            cpuUser.IncTo(sample.UserSeconds);
            cpuSystem.IncTo(sample.SystemSeconds);
            threads.Set(sample.Threads);
            gcHeap.Set(GC.GetTotalMemory(false));
        });

        _server = HttpListenerStart.Start(() => new MetricServer(bindHost, port, "metrics/", registry), server => server.Start());
    }

    public void Dispose() => _server.Dispose();
}
