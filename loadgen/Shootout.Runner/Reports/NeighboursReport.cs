using System.Globalization;
using System.Text.Json.Nodes;
using Shootout.Runner.Cli;
using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>The "beside heavy neighbours" phase in the reports: its chart, its summary.json object, its line of the method.</summary>
// Its JSON is a digest of the load generator's neighbours summary.json (other names, fewer fields), shaped like the rows'.
internal static class NeighboursReport
{
    /// <summary>The probes' latency beside the neighbours, per engine (none when the phase did not run).</summary>
    public static IEnumerable<Chart> Charts(RunSummary s)
    {
        if (!s.Rows.Any(e => e.Neighbours is not null)) yield break;
        var n = s.Settings.Neighbours;
        yield return new Chart("neighbours", $"Light client latency beside {n.Floods} floods + {n.NeverReading} never-reading", "µs",
            ["p50", "p99", "max"],
            s.Rows.Where(e => e.Neighbours is not null).Select(e => new Series(e.Label, [e.Neighbours!.P50, e.Neighbours.P99, e.Neighbours.Max])).ToList(),
            LogScale: true);
    }

    public static JsonObject? Json(NeighboursResult? r) => r is null ? null : new JsonObject
    {
        ["status"] = r.Status,
        ["message"] = r.Message,
        ["floods"] = r.Floods,
        ["never_reading"] = r.NeverReading,
        ["probes"] = r.Probes,
        ["probe_messages"] = r.ProbesScheduled,
        ["probe_messages_failed"] = r.ProbesFailed,
        ["probe_latency_us"] = new JsonObject { ["p50"] = r.P50, ["p99"] = r.P99, ["max"] = r.Max },
        ["mean_flood_bytes_per_s"] = Math.Round(r.MeanFloodBytesPerSecond, 1),
        ["slowest_flood_over_mean"] = r.SlowestOverMean,
        ["jain_index"] = r.Jain,
    };

    public static string Method(NeighboursPhaseSettings n) => !n.Enabled
        ? "Before step 6, beside heavy neighbours: skipped (--no-neighbours)."
        : string.Create(CultureInfo.InvariantCulture,
            $"Before step 6, beside heavy neighbours (docs/fairness.md): {n.Probes} probes send 9 B every 10 ms for {n.Duration.TotalSeconds:0.#} " +
            $"s beside {n.Floods} floods (64 KiB writes, 256 KiB in flight each, reading everything back) and {n.NeverReading} client that writes " +
            $"and never reads; the probes in the load generator's process, the neighbours in a child process of it. Probe latency from each " +
            $"message's scheduled send time; fairness is Jain's index of the floods' bytes/s (1 = equal shares).");
}
