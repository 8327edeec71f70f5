using System.Globalization;
using System.Text;

namespace Shootout.LoadGen.Reports;

/// <summary>DIR/report.md: the run at a glance, for people and pull requests.</summary>
internal static class MarkdownReport
{
    public static string Write(RunResult r)
    {
        var t = r.Totals;
        var sb = new StringBuilder();
        sb.Append($"# Load test: {r.Plan.ScenarioName} against {r.Plan.TargetLabel}\n\n");
        sb.Append($"- status: **{r.Status}** (exit {r.ExitCode}){(r.Message is null ? "" : " — " + r.Message)}\n");
        sb.Append($"- started: {r.StartedAt:u}, measured {F(t.MeasuredSeconds)} s, wall {F(r.WallSeconds)} s, agents: {r.Agents}\n");
        sb.Append($"- connections: requested {r.Plan.ShareConnections}, established {t.Established}, failed {t.ConnectFailed}, ");
        sb.Append($"connect rate {F(r.ConnectRatePerSecond)}/s\n");
        sb.Append($"- messages: ok {t.Ok}, failed {t.Failed}, size {r.Plan.MessageSize} B; over the measured {F(t.MeasuredSeconds)} s ");
        sb.Append($"requested {F(r.RequestedRate)}/s on average, achieved {F(r.AchievedRate)}/s (per phase below)\n");
        if (r.Plan.OpenModel)
            sb.Append("- latency is measured from each message's scheduled send time (coordinated-omission corrected)\n");
        sb.Append('\n');

        if (r.Thresholds.Count > 0)
        {
            sb.Append("## Thresholds\n\n| threshold | observed | result |\n|---|---:|---|\n");
            foreach (var x in r.Thresholds)
                sb.Append($"| `{x.Expression}` | {x.ObservedText} | {(x.Passed ? "pass" : "**FAIL**")} |\n");
            sb.Append('\n');
        }

        if (r.Scenarios.Count > 1)
        {
            sb.Append("## Scenarios\n\n| scenario | kind | connections | ok | failed | errors | achieved /s | p50 µs | p99 µs | max µs ");
            sb.Append("| Jain | slowest/mean |\n");
            sb.Append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (var s in r.Scenarios)
            {
                var step = s.Steps[1];
                string jain = s.Fairness?.Jain is { } j ? j.ToString("0.###", CultureInfo.InvariantCulture) : "–";
                string slowest = s.Fairness?.SlowestOverMean is { } m ? m.ToString("0.###", CultureInfo.InvariantCulture) : "–";
                sb.Append($"| {s.Plan.ScenarioName} | {s.Plan.Kind} | {s.Totals.Established}/{s.Plan.ShareConnections} | {s.Totals.Ok} | ");
                sb.Append($"{s.Totals.Failed} | {s.Totals.ErrorTotal} | {F(s.AchievedRate)} | {F(step.P(50))} | {F(step.P(99))} | {F(step.Max)} | ");
                sb.Append($"{jain} | {slowest} |\n");
            }
            sb.Append('\n');
        }

        sb.Append("## Hints\n\n");
        if (r.Hints.Count == 0) sb.Append("none: nothing suggests the generator limited these figures\n");
        foreach (var h in r.Hints) sb.Append($"- **{h.Kind}**: {h.Cause} *{h.Suggestion}*\n");
        sb.Append('\n');

        sb.Append("## Phases: requested against achieved\n\n| phase | kind | start s | seconds | requested /s | achieved /s | ok |\n");
        sb.Append("|---:|---|---:|---:|---:|---:|---:|\n");
        foreach (var p in r.Phases)
        {
            string requested = p.Requested is { } q ? F(q) : "–";
            sb.Append($"| {p.Index + 1} | {p.Kind} | {F(p.StartSeconds)} | {F(p.Seconds)} | {requested} | {F(p.Achieved)} | {p.Ok} |\n");
        }
        sb.Append('\n');

        sb.Append("## Latency beside the round trip (µs)\n\n| measure | count | p50 | p90 | p99 | p99.9 | max |\n|---|---:|---:|---:|---:|---:|---:|\n");
        foreach (var l in r.Latencies)
            sb.Append($"| {l.Name} | {l.Count} | {F(l.P50)} | {F(l.P90)} | {F(l.P99)} | {F(l.P999)} | {F(l.Max)} |\n");
        sb.Append('\n');

        sb.Append("## Steps\n\n");
        sb.Append("| step | requests | ok | failed | rps | min µs | mean µs | max µs | p50 | p75 | p90 | p95 | p99 | p99.9 | p99.99 | stddev | data MB |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var s in r.Steps)
        {
            sb.Append($"| {s.Name} | {s.Requests} | {s.Ok} | {s.Failed} | {F(s.Rps)} | {F(s.Min)} | {F(s.Mean)} | {F(s.Max)} | ");
            sb.Append($"{F(s.P(50))} | {F(s.P(75))} | {F(s.P(90))} | {F(s.P(95))} | {F(s.P(99))} | {F(s.P(99.9))} | ");
            sb.Append($"{F(s.P(99.99))} | {F(s.StdDev)} | {F(s.BytesAll / 1048576.0)} |\n");
        }
        sb.Append('\n');

        sb.Append("## Errors\n\n");
        if (t.Errors.Count == 0) sb.Append("none\n");
        else
        {
            sb.Append("| kind | count |\n|---|---:|\n");
            foreach (var (kind, n) in t.Errors.OrderByDescending(e => e.Value)) sb.Append($"| {kind} | {n} |\n");
        }
        sb.Append('\n');

        sb.Append("## Timeline (per second)\n\n");
        sb.Append("| s | open | new conns | ok/s | failed/s | errors | p50 µs | p99 µs | max µs |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var p in t.Timeline)
            sb.Append($"| {p.Seq + 1} | {p.Alive} | {p.Established} | {p.Ok} | {p.Failed} | {p.Errors} | {F(p.P50)} | {F(p.P99)} | {F(p.Max)} |\n");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
