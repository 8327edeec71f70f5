using HdrHistogram;
using Prometheus;
using Shootout.Common;

namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// The scenario's metrics on --metrics-port (a private registry, as the other scenarios'): the probes'
/// latency histogram and results, each flood's echoed bytes (Jain's index and the slowest flood come from
/// their rates in PromQL), and the bytes the never-reading connections got the server to take.
/// </summary>
internal sealed class NeighboursMetrics : IDisposable
{
    private readonly MetricServer _server;
    private readonly Histogram.Child _latency;
    private readonly Counter.Child _ok, _failed;
    private readonly Counter _floodBytes;
    private readonly Gauge.Child _floods, _neverReadingBytes;
    private readonly string _target;
    private long[] _lastReceived = [];

    public NeighboursMetrics(int port, string target)
    {
        _target = target;
        var registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _latency = factory.CreateHistogram("shootout_loadgen_neighbours_probe_latency_seconds",
            "Probe round-trip latency beside heavy neighbours, from the scheduled send time.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.00001, 1.5, 35), LabelNames = ["target"] }).WithLabels(target);
        var messages = factory.CreateCounter("shootout_loadgen_neighbours_probe_messages_total", "Probe round trips by result.", "target", "result");
        _ok = messages.WithLabels(target, "ok");
        _failed = messages.WithLabels(target, "failed");
        _floodBytes = factory.CreateCounter("shootout_loadgen_neighbours_flood_bytes_total", "Bytes echoed back to each flood.", "target", "flood");
        _floods = factory.CreateGauge("shootout_loadgen_neighbours_floods", "Flooding connections running.", "target").WithLabels(target);
        _neverReadingBytes = factory.CreateGauge("shootout_loadgen_neighbours_never_reading_bytes",
            "Bytes the server took from connections that never read (bounded when it applies backpressure).", "target").WithLabels(target);
        _server = HttpListenerStart.Start(() => new MetricServer(port: port, registry: registry), server => server.Start());
    }

    public void Observe(HistogramBase probeLatency, long ok, long failed, FleetSnapshot? neighbours)
    {
        foreach (var v in probeLatency.RecordedValues())
            _latency.Observe(v.ValueIteratedTo / 1e6, v.CountAtValueIteratedTo);
        _ok.Inc(ok);
        _failed.Inc(failed);
        if (neighbours is null) return;
        if (_lastReceived.Length != neighbours.FloodReceived.Length) _lastReceived = new long[neighbours.FloodReceived.Length];
        for (int i = 0; i < neighbours.FloodReceived.Length; i++)
        {
            _floodBytes.WithLabels(_target, i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc(neighbours.FloodReceived[i] - _lastReceived[i]);
            _lastReceived[i] = neighbours.FloodReceived[i];
        }
        _floods.Set(neighbours.FloodErrors.Count(e => e is null));
        _neverReadingBytes.Set(neighbours.NeverReadingSent.Sum());
    }

    public void Dispose() => _server.Dispose();
}
