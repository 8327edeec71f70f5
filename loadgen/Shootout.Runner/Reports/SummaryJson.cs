using System.Text.Json;
using System.Text.Json.Nodes;
using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>summary.json: the machine-readable result. The field names are a contract other tools read.</summary>
internal static class SummaryJson
{
    public static JsonObject Build(RunSummary s)
    {
        var engines = new JsonObject();
        foreach (var e in s.Engines) engines[e.Engine] = Engine(e);
        var references = new JsonObject();
        foreach (var r in s.References) references[r.Engine] = Engine(r);
        foreach (var (name, why) in s.ReferencesSkipped) references[name] = new JsonObject { ["status"] = "skipped", ["error"] = why };
        var contenders = new JsonObject();
        foreach (var c in s.Contenders) contenders[c.Engine] = Engine(c);
        var settings = s.Settings;
        return new JsonObject
        {
            ["started_at"] = s.StartedAt.ToString("O"),
            ["wall_seconds"] = R(s.WallSeconds),
            ["status"] = s.AllOk ? "ok" : "failed",
            ["machine"] = new JsonObject
            {
                ["cores"] = s.Machine.Cores,
                ["memory_bytes"] = s.Machine.MemoryBytes,
                ["kernel"] = s.Machine.Kernel,
                ["rlimit_nofile"] = s.Machine.RlimitNofile,
            },
            ["settings"] = new JsonObject
            {
                ["engines"] = new JsonArray(settings.Engines.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
                ["references"] = new JsonArray(settings.References.Select(e => (JsonNode)JsonValue.Create(e)!).ToArray()),
                ["contenders"] = new JsonObject(settings.Contenders.Select(c => KeyValuePair.Create(c.Name, (JsonNode?)JsonValue.Create(c.Command)))),
                ["connections"] = s.ConnectionsPerEngine,
                ["connect_rate"] = settings.ConnectRate,
                ["echo_connections"] = settings.EchoConnections,
                ["echo_rate"] = settings.EchoRate,
                ["echo_seconds"] = settings.EchoDuration.TotalSeconds,
                ["closed_connections"] = settings.ClosedConnections,
                ["closed_seconds"] = settings.ClosedDuration.TotalSeconds,
                ["message_size"] = settings.MessageSize,
                ["warmup_connections"] = settings.WarmupConnections,
            },
            ["engines"] = engines,
            ["references"] = references,
            ["contenders"] = contenders,
            // Quoted by the project's question, not measured here: the "references" rows are.
            ["reference"] = new JsonObject
            {
                ["rust_thread_bytes"] = Reference.Points[0].Bytes,
                ["go_goroutine_bytes"] = Reference.Points[1].Bytes,
            },
            ["sysctl_changes"] = new JsonArray(s.SysctlChanges
                .Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["old"] = c.Old, ["new"] = c.New }).ToArray()),
            ["notes"] = new JsonArray(s.Notes.Select(n => (JsonNode)JsonValue.Create(n)!).ToArray()),
        };
    }

    private static JsonObject Engine(EngineResult e) => new()
    {
        ["status"] = e.Status,
        ["error"] = e.Error,
        ["loadgen_hints"] = new JsonArray(e.Hints.Select(h => (JsonNode)JsonValue.Create(h)!).ToArray()),
        ["connections_requested"] = e.ConnectionsRequested,
        ["connections_held"] = e.ConnectionsHeld,
        ["processes"] = e.Processes,
        ["connect_rate_per_s"] = R(e.ConnectRatePerSecond),
        ["user_bytes_per_connection"] = R(e.UserBytesPerConnection),
        ["kernel_bytes_per_connection"] = R(e.KernelBytesPerConnection),
        ["threads"] = e.Threads,
        ["cpu_user_seconds"] = R(e.CpuUserSeconds),
        ["cpu_system_seconds"] = R(e.CpuSystemSeconds),
        ["echo"] = e.Echo is not { } x ? null : new JsonObject
        {
            ["rate_requested"] = R(x.RateRequested),
            ["rate_achieved"] = R(x.RateAchieved),
            ["latency_us"] = new JsonObject { ["p50"] = x.P50, ["p99"] = x.P99, ["p999"] = x.P999, ["max"] = x.Max },
            ["latency_spectrum_us"] = new JsonObject(x.Spectrum.Select(p => KeyValuePair.Create(p.Label, (JsonNode?)JsonValue.Create(p.Micros)))),
        },
        ["growth"] = new JsonObject
        {
            ["user"] = Fit(e.UserFit),
            ["kernel"] = Fit(e.KernelFit),
            // [connections held, user-space bytes, kernel bytes] as the ramp went
            ["samples"] = new JsonArray(e.Timeline.Growth.Select(p => (JsonNode)new JsonArray(p.Connections, p.UserBytes, p.KernelBytes)).ToArray()),
        },
        // [seconds, connections, Σ RSS bytes, MemAvailable bytes, CPU user s, CPU system s] once a second
        ["timeline"] = new JsonArray(e.Timeline.Points.Select(p => (JsonNode)new JsonArray(
            R(p.Seconds), p.Connections, p.RssBytes, p.MemAvailableBytes, R(p.CpuUserSeconds), R(p.CpuSystemSeconds))).ToArray()),
        ["max_msgs_per_s"] = R(e.MaxMsgsPerSecond),
        // True: max_msgs_per_s is the load generator's limit, a lower bound for the server ("≥ 127,631, generator-bound").
        ["max_msgs_generator_bound"] = e.ClosedGeneratorBound,
        ["cpus"] = e.Cpus is { } cpus ? new JsonObject { ["server"] = cpus.Server.ToString(), ["loadgen"] = cpus.LoadGen.ToString() } : null,
        ["generator_cpu"] = GeneratorCpu(e.GeneratorCpu),
        // Per echoed message, from the server processes' own counters: at the open-model rate and at the closed-loop maximum.
        ["cost_per_message"] = new JsonObject { ["rate"] = Cost(e.CostAtRate), ["closed"] = Cost(e.CostClosed) },
        ["neighbours"] = NeighboursReport.Json(e.Neighbours),
        ["baseline_rss_bytes"] = e.BaselineRssBytes,
        ["held_rss_bytes"] = e.HeldRssBytes,
        ["ramp_seconds"] = R(e.RampSeconds),
        ["wall_seconds"] = R(e.WallSeconds),
        ["stopped_cleanly"] = e.StoppedCleanly,
        ["destinations"] = e.Destinations,
        ["limit"] = e.Limit,
        ["user_growth_bytes"] = e.UserGrowthBytes,
        ["loadgen_rss_bytes"] = e.LoadGenRssBytes,
        ["mem_available_before_bytes"] = e.MemAvailableBeforeBytes,
        ["mem_available_held_bytes"] = e.MemAvailableHeldBytes,
        ["mem_available_lowest_bytes"] = e.MemAvailableLowestBytes,
        ["rejected"] = new JsonObject(e.Rejected.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
    };

    private static JsonObject? Cost(MessageCost? c) => c is null ? null : new JsonObject
    {
        ["messages"] = c.Messages,
        ["messages_per_s"] = R(c.MessagesPerSecond),
        ["cpu_per_message_us"] = new JsonObject { ["user"] = R(c.UserMicros), ["system"] = R(c.SystemMicros) },
        ["syscalls_per_message"] = R(c.Syscalls),
        ["context_switches_per_message"] = new JsonObject { ["voluntary"] = R(c.VoluntarySwitches), ["involuntary"] = R(c.InvoluntarySwitches) },
    };

    private static JsonObject GeneratorCpu(IEnumerable<GeneratorCpu> phases)
    {
        var json = new JsonObject();
        foreach (var g in phases) json[g.Phase] = new JsonObject { ["share"] = R(g.Share), ["cpus"] = g.Cpus, ["saturated"] = g.IsSaturated };
        return json;
    }

    private static JsonObject? Fit(LinearFit? f) => f is null ? null : new JsonObject
    {
        ["slope_bytes_per_connection"] = R(f.Slope),
        ["intercept_bytes"] = R(f.Intercept),
        ["r2"] = Math.Round(f.RSquared, 5),
        ["points"] = f.Points,
    };

    public static string Write(RunSummary s) => Build(s).ToJsonString(new JsonSerializerOptions
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    private static double? R(double? v) => v is { } x ? Math.Round(x, 3) : null;
}
