using System.Globalization;
using System.Text.Json.Nodes;
using Shootout.Common;
using Shootout.Runner.Cli;
using Shootout.Runner.Processes;
using Shootout.Runner.Run;
using Shootout.Runner.Statistics;

namespace Shootout.Runner.Bench;

/// <summary>One row of the neighbours table: an engine (or ENGINE@base) in one round, and what its probes saw.</summary>
internal sealed record NeighboursRow(BenchRow Row, NeighboursResult? Result, string? Error);

/// <summary>
/// Light clients beside heavy neighbours, engines side by side, alternating over rounds (at least 2), the threads engine
/// first in every round so "within 2× of threads' p99" reads off the same round: per row a fresh server and one
/// `shootout-loadgen neighbours` run (16 floods × 64 KiB writes and 1 never-reading connection at nice 10, 100 probes of
/// 9 B every 10 ms; probe latency from each message's scheduled send), the load generator on the client's CPUs.
/// </summary>
internal sealed class BenchNeighbours(BenchSettings settings, BenchClient client, ServerPorts ports, CpuSet? serverCpus, CpuSet? clientCpus,
    string workDir)
{
    private static readonly NeighboursPhaseSettings Target = new() { Floods = 16, NeverReading = 1, Probes = 100 };
    private const string RowFormat = "{0,-14} {1,5} {2,10} {3,10} {4,10} {5,11} {6,8} {7,12} {8,12} {9,7}";

    public int Rounds => Math.Max(2, settings.Rounds);

    public async Task<IReadOnlyList<NeighboursRow>> RunAsync(Action<string> line, CancellationToken cancel)
    {
        var engines = settings.Engines.Contains("threads") ? settings.Engines : ["threads", .. settings.Engines];
        var subjects = await BenchRows.PlanAsync(settings with { Engines = engines, References = [], Rounds = Rounds }, workDir);
        line($"beside {Target.Floods} floods x 64 KiB writes and {Target.NeverReading} never-reading connection at nice 10: " +
             $"{Target.Probes} probes x 9 B every 10 ms, {settings.Seconds} s after 1 s of flooding, {Rounds} rounds");
        line(Format(RowFormat, "engine", "round", "p50_ms", "p99_ms", "max_ms", "p99/threads", "failed", "slowest/mean", "mean_MiB/s", "jain"));
        var rows = new List<NeighboursRow>();
        int index = 0;
        foreach (var row in subjects.Rows.Where(r => r.Kind != RowKind.Baseline || !r.Subject.StartsWith("threads@", StringComparison.Ordinal)))
        {
            string host = $"127.0.{200 + index / 250}.{2 + index % 250}";
            index++;
            var result = await MeasureAsync(row, host, cancel);
            rows.Add(result);
            double? threadsP99 = rows.LastOrDefault(r => r.Row.Round == row.Round && r.Row.Subject == "threads")?.Result?.P99;
            line(Line(result, threadsP99));
        }
        return rows;
    }

    private async Task<NeighboursRow> MeasureAsync(BenchRow row, string host, CancellationToken cancel)
    {
        try
        {
            await using var server = await BenchServer.StartAsync(row, host, ports, serverCpus, client, workDir, cancel);
            string loadGen = Path.Combine(AppContext.BaseDirectory, "shootout-loadgen");
            string[] args =
            [
                "neighbours", "--target", $"{host}:{server.Port}", "--floods", I(Target.Floods), "--message-size", "64KiB",
                "--never-reading", I(Target.NeverReading), "--probes", I(Target.Probes), "--probe-interval", "10ms", "--neighbours-nice", "10",
                "--duration", $"{settings.Seconds}s", "--message-timeout", "20s",
            ];
            var command = clientCpus is null ? [loadGen, .. args] : clientCpus.Wrap(loadGen, args);
            var run = await LoadGenRun.RunAsync(command[0], $"neighbours {row.Name}", command.Skip(1),
                Path.Combine(workDir, $"neighbours-{row.Name.Replace('#', '-')}"), TimeSpan.FromSeconds(settings.Seconds + 90), cancel);
            var result = NeighboursPhase.Read(run, Target with { Duration = TimeSpan.FromSeconds(settings.Seconds) });
            return new NeighboursRow(row, result, result.Status == "ok" ? null : result.Message);
        }
        catch (Exception e) when (e is BenchFailure or EngineFailure)
        {
            return new NeighboursRow(row, null, e.Message);
        }
    }

    private static string Line(NeighboursRow r, double? threadsP99)
    {
        if (r.Result is not { } n) return $"{r.Row.Subject,-14} {r.Row.Round,5} failed: {r.Error}";
        string vs = threadsP99 is > 0 ? Format("{0:0.00}x", n.P99 / threadsP99.Value) : "-";
        string text = Format(RowFormat, r.Row.Subject, r.Row.Round, Ms(n.P50), Ms(n.P99), Ms(n.Max), vs, n.ProbesFailed,
            Format("{0:0.00}", n.SlowestOverMean), Format("{0:0.0}", n.MeanFloodBytesPerSecond / (1 << 20)), Format("{0:0.000}", n.Jain));
        // A run with errors (a probe never answered, a flood cut off) still shows its figures; the error follows.
        return r.Error is null ? text : $"{text}\n  {r.Row.Subject}: {r.Error}";
    }

    /// <summary>Over rounds, per engine: median p50 and p99, and its p99 against the threads engine's of the same round, with its interval.</summary>
    public static IReadOnlyList<(string Subject, int Rounds, double P50, double P99, RatioInterval? VsThreads, double? WorstShare)> Medians(
        IReadOnlyList<NeighboursRow> rows)
    {
        var measured = rows.Where(r => r.Result is not null).ToList();
        return measured.GroupBy(r => r.Row.Subject).Select(g =>
        {
            var perRound = g.Select(r => (r.Row.Round, r.Result!.P99))
                .Select(x => measured.FirstOrDefault(t => t.Row.Subject == "threads" && t.Row.Round == x.Round)?.Result?.P99 is > 0 and var t
                    ? x.P99 / t : (double?)null)
                .OfType<double>().Where(v => v > 0).ToList();
            return (g.Key, g.Count(), Quantile.Median(g.Select(r => r.Result!.P50)), Quantile.Median(g.Select(r => r.Result!.P99)),
                g.Key != "threads" && perRound.Count > 0 ? RatioInterval.Of(perRound) : null,
                g.Select(r => r.Result!.SlowestOverMean).Min());
        }).ToList();
    }

    public static IEnumerable<string> MedianLines(IReadOnlyList<NeighboursRow> rows)
    {
        yield return Format("{0,-14} {1,5} {2,10} {3,10} {4,12}  {5}", "median", "of", "p50_ms", "p99_ms", "worst_share", "p99/threads per round, over rounds");
        foreach (var m in Medians(rows))
        {
            string vs = "-";
            if (m.VsThreads is { } v)
            {
                string interval = v.HasInterval ? Format("[{0:0.00}, {1:0.00}]", v.Low!.Value, v.High!.Value) : "-";
                vs = Format("{0:0.00}x {1}  {2}", v.Ratio, interval, BenchTable.Reading(v));
            }
            yield return Format("{0,-14} {1,5} {2,10} {3,10} {4,12}  {5}", m.Subject, m.Rounds, Ms(m.P50), Ms(m.P99),
                m.WorstShare is { } w ? Format("{0:0.00}", w) : "-", vs);
        }
    }

    public static JsonObject Json(IReadOnlyList<NeighboursRow> rows) => new()
    {
        ["floods"] = Target.Floods,
        ["never_reading"] = Target.NeverReading,
        ["probes"] = Target.Probes,
        ["rows"] = new JsonArray([.. rows.Select(r => (JsonNode)new JsonObject
        {
            ["subject"] = r.Row.Subject,
            ["round"] = r.Row.Round,
            ["status"] = r.Result is null ? "failed" : r.Error is null ? "ok" : "errors",
            ["error"] = r.Error,
            ["probe_p50_us"] = r.Result?.P50,
            ["probe_p99_us"] = r.Result?.P99,
            ["probe_max_us"] = r.Result?.Max,
            ["probes_failed"] = r.Result?.ProbesFailed,
            ["slowest_over_mean"] = r.Result?.SlowestOverMean,
            ["jain_index"] = r.Result?.Jain,
            ["mean_flood_bytes_per_s"] = r.Result?.MeanFloodBytesPerSecond,
        })]),
        ["ratios"] = new JsonArray([.. Medians(rows).Where(m => m.VsThreads is not null).Select(m => (JsonNode)new JsonObject
        {
            ["metric"] = "probe_p99_us",
            ["a"] = m.Subject,
            ["b"] = "threads",
            ["ratio"] = Math.Round(m.VsThreads!.Ratio, 4),
            ["ci95"] = m.VsThreads.HasInterval ? new JsonArray(Math.Round(m.VsThreads.Low!.Value, 4), Math.Round(m.VsThreads.High!.Value, 4)) : null,
            ["rounds"] = m.VsThreads.Rounds,
        })]),
    };

    private static string Ms(double micros) => Format("{0:0.00}", micros / 1000);

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
