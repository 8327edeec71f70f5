using System.Globalization;
using System.Text;
using HdrHistogram;

namespace Shootout.LoadGen.Neighbours;

/// <summary>DIR/report.md: the probes' latency and the floods' shares at a glance.</summary>
internal static class NeighboursMarkdown
{
    public static string Write(NeighboursResult r)
    {
        var p = r.Plan;
        var sb = new StringBuilder();
        sb.Append($"# Light clients beside heavy neighbours: {p.TargetLabel}\n\n");
        sb.Append($"- status: **{r.Status}** (exit {r.ExitCode}){(r.Message is null ? "" : " — " + r.Message)}\n");
        sb.Append($"- started: {r.StartedAt:u}, measured {F(r.MeasuredSeconds)} s, wall {F(r.WallSeconds)} s; {p.LayoutDescription}\n");
        sb.Append($"- neighbours: {p.Floods} floods × {p.MessageSize} B writes, window {p.Window} B; {p.NeverReading} never-reading\n");
        sb.Append($"- probes: {p.Probes} × {p.ProbeSize} B every {F(p.ProbeInterval.TotalMilliseconds)} ms; latency from the scheduled send time " +
                  $"(coordinated-omission corrected)\n\n");

        sb.Append("## Probes\n\n" +
                  "| scheduled | ok | failed | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs | service p50 µs | service p99 µs |\n" +
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        var s = r.ProbeService;
        long SP(double q) => s.TotalCount == 0 ? 0 : s.GetValueAtPercentile(q);
        sb.Append($"| {r.ProbesScheduled} | {r.ProbesOk} | {r.ProbesFailed} | {r.P(50)} | {r.P(90)} | {r.P(99)} | {r.P(99.9)} | " +
                  $"{(r.ProbeLatency.TotalCount == 0 ? 0 : r.ProbeLatency.GetMaxValue())} | {SP(50)} | {SP(99)} |\n\n");

        sb.Append("## Floods\n\n");
        sb.Append($"mean {M(r.FloodMean)} MiB/s, slowest {M(r.FloodMin)}, fastest {M(r.FloodMax)}, slowest/mean " +
                  $"{(r.SlowestOverMean is { } so ? F(so) : "-")}, Jain's index " +
                  $"{(r.Jain is { } j ? j.ToString("0.000", CultureInfo.InvariantCulture) : "-")}\n\n");
        sb.Append("| flood | MiB/s | bytes in window | sent total | echoed total | error |\n|---:|---:|---:|---:|---:|---|\n");
        foreach (var f in r.Floods)
            sb.Append($"| {f.Index} | {M(f.BytesPerSecond)} | {f.Bytes} | {f.SentTotal} | {f.ReceivedTotal} | {f.Error ?? ""} |\n");
        sb.Append('\n');

        if (r.NeverReading.Count > 0)
        {
            sb.Append("## Never-reading connections\n\n| # | bytes the server took | blocked for s | closed by server | error |\n|---:|---:|---:|---|---|\n");
            foreach (var n in r.NeverReading)
                sb.Append($"| {n.Index} | {n.BytesWritten} | {F(n.BlockedSeconds)} | {(n.ClosedByServer ? "yes" : "no")} | {n.Error ?? ""} |\n");
            sb.Append('\n');
        }

        sb.Append("## Errors\n\n");
        if (r.Errors.Count == 0) sb.Append("none\n\n");
        else
        {
            sb.Append("| kind | count |\n|---|---:|\n");
            foreach (var (kind, n) in r.Errors.OrderByDescending(e => e.Value)) sb.Append($"| {kind} | {n} |\n");
            sb.Append('\n');
        }

        sb.Append("## Timeline (per second)\n\n" +
                  "| s | probes ok | failed | p50 µs | p99 µs | max µs | floods MiB/s | slowest MiB/s | Jain |\n" +
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var t in r.Timeline)
            sb.Append($"| {t.Second} | {t.ProbeOk} | {t.ProbeFailed} | {t.P50} | {t.P99} | {t.Max} | {M(t.FloodBytesPerSecond)} | " +
                      $"{M(t.SlowestFloodBytesPerSecond)} | {(t.Jain is { } tj ? tj.ToString("0.000", CultureInfo.InvariantCulture) : "-")} |\n");
        return sb.ToString();
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string M(double bytesPerSecond) => (bytesPerSecond / 1048576).ToString("0.00", CultureInfo.InvariantCulture);
}
