using System.Text.Json;
using System.Text.Json.Nodes;
using Shootout.Common;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Bench;

/// <summary>
/// summary.json of a bench: the settings, which CPUs each role had, one object per row keyed by its name (units in the field
/// names), the rows skipped and why, and every ratio with its 95% interval.
/// </summary>
internal static class BenchSummary
{
    public static JsonObject Build(BenchSettings settings, CpuSet? serverCpus, CpuSet? clientCpus, IReadOnlyList<RowResult> results,
        IReadOnlyDictionary<string, string> skipped, IReadOnlyList<BenchRatio> ratios, IReadOnlyList<SysctlChange> sysctl, string loadBefore, string loadAfter)
    {
        var rows = new JsonObject();
        foreach (var r in results) rows[r.Row.Name] = Row(r, settings);
        foreach (var (name, why) in skipped) rows[name] = new JsonObject { ["kind"] = "reference", ["status"] = "skipped", ["error"] = why };
        return new JsonObject
        {
            ["kind"] = "bench",
            ["rounds"] = settings.Rounds,
            ["settings"] = new JsonObject
            {
                ["connections"] = settings.Connections,
                ["echo_connections"] = settings.EchoConnections,
                ["message_bytes"] = settings.MessageSize,
                ["echo_seconds"] = settings.Seconds,
                ["engines"] = new JsonArray([.. settings.Engines.Select(e => (JsonNode)e)]),
                ["references"] = new JsonArray([.. settings.References.Select(e => (JsonNode)e)]),
                ["baseline"] = settings.BaselineBin,
            },
            // "loadgen": the role that drives the load; in a bench, the C client.
            ["cpus"] = new JsonObject
            {
                ["server"] = serverCpus?.ToString() ?? "unpinned",
                ["loadgen"] = clientCpus?.ToString() ?? "unpinned",
                ["shared"] = serverCpus is null || clientCpus is null || serverCpus.Overlaps(clientCpus),
            },
            ["load_average"] = new JsonObject { ["before"] = loadBefore, ["after"] = loadAfter },
            ["sysctl"] = new JsonArray([.. sysctl.Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["old"] = c.Old, ["new"] = c.New })]),
            ["rows"] = rows,
            ["ratios"] = new JsonArray([.. ratios.Select(Ratio)]),
        };
    }

    public static string Text(JsonObject summary) => summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private static JsonObject Row(RowResult r, BenchSettings s)
    {
        var row = new JsonObject
        {
            ["kind"] = r.Row.KindName,
            ["subject"] = r.Row.Subject,
            ["round"] = r.Row.Round,
            ["status"] = r.Ok ? "ok" : "failed",
        };
        if (!r.Ok)
        {
            row["error"] = r.Error;
            return row;
        }
        var cost = r.EchoCost;
        row["connections"] = r.Connections;
        row["accepts_per_s"] = Round(r.AcceptsPerSecond, 0);
        row["accepts_per_cpu_s"] = Round(r.AcceptsPerCpuSecond, 0);
        row["accepts_per_s_bursts"] = new JsonArray(r.AcceptBursts.Select(b => (JsonNode?)Math.Round(b)).ToArray());
        row["idle_bytes_per_connection"] = r.IdleBytesPerConnection;
        row["used_bytes_per_connection"] = r.UsedBytesPerConnection;
        row["threads"] = r.Threads;
        row["echo_msgs_per_s"] = Round(r.EchoMessagesPerSecond, 0);
        row["echo_connections"] = s.EchoConnections;
        row["message_bytes"] = s.MessageSize;
        row["echo_seconds"] = s.Seconds;
        row["cpu_user_s"] = Round(r.CpuUserSeconds, 2);
        row["cpu_system_s"] = Round(r.CpuSystemSeconds, 2);
        row["cpu_per_message_us"] = cost is null ? null : new JsonObject { ["user"] = Round(cost.UserMicros, 3), ["system"] = Round(cost.SystemMicros, 3) };
        row["context_switches_per_message"] = cost is null ? null : new JsonObject
        {
            ["voluntary"] = Round(cost.VoluntarySwitches, 4),
            ["involuntary"] = Round(cost.InvoluntarySwitches, 4),
        };
        row["syscalls_per_msg"] = Round(cost?.Syscalls, 3);
        row["listen_overflows"] = r.ListenOverflows;
        row["client_cpu_share"] = Round(r.ClientCpu?.Share, 3);
        row["echo_client_bound"] = r.EchoClientBound;
        return row;
    }

    private static JsonObject Ratio(BenchRatio ratio)
    {
        var i = ratio.Interval;
        return new JsonObject
        {
            ["metric"] = ratio.Metric,
            ["a"] = ratio.A,
            ["b"] = ratio.B,
            ["ratio"] = Math.Round(i.Ratio, 4),
            ["ci95"] = i.HasInterval ? new JsonArray(Math.Round(i.Low!.Value, 4), Math.Round(i.High!.Value, 4)) : null,
            ["rounds"] = i.Rounds,
            ["per_round"] = new JsonArray([.. i.PerRound.Select(r => (JsonNode)Math.Round(r, 4))]),
            ["no_difference"] = i.HasInterval ? i.SpansOne : null,
            ["half_width"] = i.HalfWidth is { } w ? Math.Round(w, 4) : null,
            ["rounds_for_5_percent"] = i.RoundsFor(),
            ["client_bound_rounds"] = ratio.ClientBoundRounds,
            ["method"] = "geometric mean of the rounds' ratios; 95% percentile bootstrap expanded for few rounds (Hesterberg 2015), 10,000 resamples, seed 23",
        };
    }

    private static double? Round(double? value, int decimals) => value is { } v ? Math.Round(v, decimals) : null;
}
