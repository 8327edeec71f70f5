using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shootout.LoadGen.Reports;

/// <summary>DIR/summary.json: the machine-readable result other tools read. Field names are a contract.</summary>
internal static class SummaryJson
{
    public static JsonObject Build(RunResult r)
    {
        var t = r.Totals;
        var msg = r.Steps[1];
        var con = r.Steps[0];
        var errors = new JsonObject();
        foreach (var (kind, n) in t.Errors.OrderBy(e => e.Key)) errors[kind] = n;
        return new JsonObject
        {
            ["scenario"] = r.Plan.ScenarioName,
            ["target"] = r.Plan.TargetLabel,
            ["status"] = r.Status,
            ["exit_code"] = r.ExitCode,
            ["message"] = r.Message,
            ["started_at"] = r.StartedAt.ToString("O"),
            ["duration_s"] = Round(t.MeasuredSeconds),
            ["wall_s"] = Round(r.WallSeconds),
            ["agents"] = r.Agents,
            ["message_size"] = r.Plan.MessageSize,
            ["connections"] = new JsonObject
            {
                ["requested"] = r.Plan.ShareConnections,
                ["established"] = t.Established,
                ["failed"] = t.ConnectFailed,
                ["peak_open"] = r.Totals.Timeline.Select(p => p.Alive).DefaultIfEmpty(0).Max(),
                ["closed_by_server"] = t.ClosedByServer,
            },
            ["messages"] = new JsonObject { ["ok"] = t.Ok, ["failed"] = t.Failed },
            ["rate"] = new JsonObject { ["requested"] = Round(r.RequestedRate), ["achieved"] = Round(r.AchievedRate) },
            ["latency_us"] = new JsonObject
            {
                ["min"] = msg.Min, ["mean"] = Round(msg.Mean), ["stddev"] = Round(msg.StdDev),
                ["p50"] = msg.P(50), ["p75"] = msg.P(75), ["p90"] = msg.P(90), ["p95"] = msg.P(95),
                ["p99"] = msg.P(99), ["p999"] = msg.P(99.9), ["p9999"] = msg.P(99.99), ["max"] = msg.Max,
            },
            ["connect_rate_per_s"] = Round(r.ConnectRatePerSecond),
            ["connect_latency_us"] = new JsonObject { ["p50"] = con.P(50), ["p99"] = con.P(99), ["max"] = con.Max },
            ["first_byte_latency_us"] = Percentiles(LatencySummary.Of("first_byte", t.FirstByte)),
            ["send_lag_us"] = Percentiles(LatencySummary.Of("send_lag", t.SendLag)),
            ["phases"] = new JsonArray(r.Phases.Select(p => (JsonNode)new JsonObject
            {
                ["index"] = p.Index,
                ["kind"] = p.Kind.ToString(),
                ["start_s"] = Round(p.StartSeconds),
                ["duration_s"] = Round(p.Seconds),
                ["requested_rate"] = p.Requested is { } q ? Round(q) : null,
                ["achieved_rate"] = Round(p.Achieved),
                ["ok"] = p.Ok,
                ["scheduled"] = p.Scheduled,
            }).ToArray()),
            ["thresholds"] = new JsonArray(r.Thresholds.Select(x => (JsonNode)new JsonObject
            {
                ["expr"] = x.Expression,
                ["observed"] = x.Observed is { } v ? Round(v) : null,
                ["unit"] = x.Threshold.Metric.Unit,
                ["passed"] = x.Passed,
                ["abort_on_fail"] = x.Threshold.AbortOnFail,
            }).ToArray()),
            ["hints"] = new JsonArray(r.Hints.Select(h => (JsonNode)new JsonObject
            {
                ["kind"] = h.Kind,
                ["message"] = h.Message,
                ["cause"] = h.Cause,
                ["suggestion"] = h.Suggestion,
            }).ToArray()),
            ["event_loops"] = new JsonArray(t.Threads.OrderBy(e => e.Key).Select(e => (JsonNode)new JsonObject
            {
                ["agent"] = e.Key.Source,
                ["thread"] = e.Key.Loop < 0 ? "pacer" : $"loop-{e.Key.Loop}",
                ["cpu_mean"] = Round(e.Value.CpuMean),
                ["cpu_max"] = Round(e.Value.CpuMax),
                ["run_queue_wait_mean"] = Round(e.Value.WaitMean),
            }).ToArray()),
            ["source_addresses"] = r.Plan.SourceAddresses.Count,
            ["samples"] = r.Plan.Samples is null ? null : new JsonObject
            {
                ["path"] = r.Plan.Samples,
                ["written"] = t.SamplesWritten,
                ["dropped"] = t.SamplesDropped,
                ["limit"] = r.Plan.SamplesLimit,
            },
            ["errors"] = errors,
            ["bytes"] = new JsonObject { ["sent"] = t.BytesSent, ["received"] = t.BytesReceived },
            ["replica"] = new JsonObject { ["index"] = r.Plan.Share.Index, ["count"] = r.Plan.Share.Count },
            ["fairness"] = Fairness(r.Fairness),
            ["scenarios"] = new JsonArray(r.Scenarios.Select(s => (JsonNode)Scenario(s)).ToArray()),
        };
    }

    /// <summary>One scenario's section: its name and kind, then the same figures as the run's, its own.</summary>
    private static JsonObject Scenario(RunResult s)
    {
        var section = new JsonObject { ["name"] = s.Plan.ScenarioName, ["kind"] = s.Plan.Kind };
        // The run's verdict, thresholds and event loops are the whole run's, not a scenario's.
        string[] runOnly = ["scenario", "status", "exit_code", "message", "started_at", "wall_s", "agents", "thresholds", "event_loops",
            "replica", "scenarios"];
        foreach (var (key, value) in Build(s))
            if (!runOnly.Contains(key)) section[key] = value?.DeepClone();
        return section;
    }

    private static JsonObject? Fairness(FairnessSummary? f) => f is null ? null : new JsonObject
    {
        ["connections"] = f.Connections,
        ["of"] = f.Unit,
        ["jain"] = f.Jain is { } j ? Round(j) : null,
        ["slowest_over_mean"] = f.SlowestOverMean is { } m ? Round(m) : null,
    };

    private static JsonObject Percentiles(LatencySummary l) => new()
    {
        ["count"] = l.Count, ["p50"] = l.P50, ["p90"] = l.P90, ["p99"] = l.P99, ["p999"] = l.P999, ["max"] = l.Max,
    };

    public static string Write(RunResult r) => Build(r).ToJsonString(Options);

    /// <summary>How every scenario's summary.json is written (the neighbours' too): indented, µ and → as they are.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Figures to three decimals, in every scenario's summary.json.</summary>
    public static double Round(double v) => Math.Round(v, 3);
}
