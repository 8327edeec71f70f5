using System.Text.Json.Nodes;
using HdrHistogram;
using Shootout.LoadGen.Reports;

namespace Shootout.LoadGen.Neighbours;

/// <summary>DIR/summary.json of the neighbours scenario. Field names are a contract (the runner and bench read them).</summary>
// The first fields (scenario … wall_s) are the same as every scenario's summary.json (Reports/SummaryJson), the rest its own.
internal static class NeighboursSummaryJson
{
    public static JsonObject Build(NeighboursResult r)
    {
        var p = r.Plan;
        var errors = new JsonObject();
        foreach (var (kind, n) in r.Errors.OrderBy(e => e.Key)) errors[kind] = n;
        return new JsonObject
        {
            ["scenario"] = "neighbours",
            ["target"] = p.TargetLabel,
            ["status"] = r.Status,
            ["exit_code"] = r.ExitCode,
            ["message"] = r.Message,
            ["started_at"] = r.StartedAt.ToString("O"),
            ["duration_s"] = Round(r.MeasuredSeconds),
            ["wall_s"] = Round(r.WallSeconds),
            ["layout"] = p.Layout == NeighboursLayout.SeparateProcesses ? "separate_processes" : "separate_loops",
            ["layout_description"] = p.LayoutDescription,
            ["neighbours_nice"] = p.Layout == NeighboursLayout.SeparateProcesses ? p.NeighboursNice : 0,
            ["probes_nice"] = p.Layout == NeighboursLayout.SeparateProcesses ? p.ProbesNice : 0,
            ["neighbours_pid"] = r.NeighboursPid,
            ["probes"] = new JsonObject
            {
                ["count"] = p.Probes,
                ["size"] = p.ProbeSize,
                ["interval_ms"] = p.ProbeInterval.TotalMilliseconds,
                ["scheduled"] = r.ProbesScheduled,
                ["ok"] = r.ProbesOk,
                ["failed"] = r.ProbesFailed,
                // From each message's scheduled send time (coordinated-omission corrected).
                ["latency_us"] = Latency(r.ProbeLatency),
                // From the moment each message was written: what the server took once it had the bytes.
                ["service_us"] = Latency(r.ProbeService),
            },
            ["floods"] = new JsonObject
            {
                ["count"] = p.Floods,
                ["message_size"] = p.MessageSize,
                ["window"] = p.Window,
                ["mean_bytes_per_s"] = Round(r.FloodMean),
                ["min_bytes_per_s"] = Round(r.FloodMin),
                ["max_bytes_per_s"] = Round(r.FloodMax),
                ["total_bytes_per_s"] = Round(r.FloodTotal),
                ["slowest_over_mean"] = r.SlowestOverMean is { } s ? Round(s) : null,
                ["jain_index"] = r.Jain is { } j ? Round(j) : null,
                ["per_flood"] = new JsonArray(r.Floods.Select(f => (JsonNode)new JsonObject
                {
                    ["index"] = f.Index,
                    ["bytes"] = f.Bytes,
                    ["bytes_per_s"] = Round(f.BytesPerSecond),
                    ["sent_total"] = f.SentTotal,
                    ["received_total"] = f.ReceivedTotal,
                    ["error"] = f.Error,
                }).ToArray()),
            },
            ["never_reading"] = new JsonObject
            {
                ["count"] = p.NeverReading,
                ["bytes_written"] = r.NeverReading.Sum(n => n.BytesWritten),
                ["per_connection"] = new JsonArray(r.NeverReading.Select(n => (JsonNode)new JsonObject
                {
                    ["index"] = n.Index,
                    ["bytes_written"] = n.BytesWritten,
                    ["blocked_s"] = Round(n.BlockedSeconds),
                    ["closed_by_server"] = n.ClosedByServer,
                    ["error"] = n.Error,
                }).ToArray()),
            },
            ["errors"] = errors,
            ["timeline"] = new JsonArray(r.Timeline.Select(t => (JsonNode)new JsonObject
            {
                ["second"] = t.Second,
                ["probe_ok"] = t.ProbeOk,
                ["probe_failed"] = t.ProbeFailed,
                ["p50_us"] = t.P50,
                ["p99_us"] = t.P99,
                ["max_us"] = t.Max,
                ["flood_bytes_per_s"] = Round(t.FloodBytesPerSecond),
                ["slowest_flood_bytes_per_s"] = Round(t.SlowestFloodBytesPerSecond),
                ["jain_index"] = t.Jain is { } j ? Round(j) : null,
            }).ToArray()),
        };
    }

    private static JsonObject Latency(HistogramBase h)
    {
        bool any = h.TotalCount > 0;
        long P(double q) => any ? h.GetValueAtPercentile(q) : 0;
        return new JsonObject
        {
            ["count"] = h.TotalCount,
            ["min"] = any ? h.RecordedValues().First().ValueIteratedTo : 0,
            ["mean"] = any ? Round(h.GetMean()) : 0,
            ["p50"] = P(50), ["p90"] = P(90), ["p99"] = P(99), ["p999"] = P(99.9),
            ["max"] = any ? h.GetMaxValue() : 0,
        };
    }

    public static string Write(NeighboursResult r) => Build(r).ToJsonString(SummaryJson.Options);

    private static double Round(double v) => SummaryJson.Round(v);
}
