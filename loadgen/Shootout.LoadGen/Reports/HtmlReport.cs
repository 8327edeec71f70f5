using System.Globalization;
using System.Net;
using System.Text;
using HdrHistogram;

namespace Shootout.LoadGen.Reports;

/// <summary>DIR/report.html: one self-contained page (inline CSS and SVG, no script, no network).</summary>
internal static class HtmlReport
{
    public static string Write(RunResult r)
    {
        var t = r.Totals;
        var timeline = t.Timeline;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
        sb.Append(E($"Load test: {r.Plan.ScenarioName} — {r.Plan.TargetLabel}"));
        sb.Append("</title><style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}" +
                  "td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}" +
                  ".status-ok{color:#1a7f37}.status-failed,.status-interrupted{color:#cf222e}figure{margin:16px 0}figcaption{font-weight:bold;margin-bottom:4px}</style></head><body>");
        sb.Append($"<h1>{E(r.Plan.ScenarioName)} against {E(r.Plan.TargetLabel)}</h1>");
        sb.Append($"<p>Status: <strong class=\"status-{E(r.Status)}\">{E(r.Status)}</strong> (exit {r.ExitCode}){(r.Message is null ? "" : " — " + E(r.Message))}<br>");
        sb.Append($"Started {r.StartedAt:u}; measured {F(t.MeasuredSeconds)} s; agents {r.Agents}; message size {r.Plan.MessageSize} B.");
        if (r.Plan.OpenModel) sb.Append(" Latency counts from each message's scheduled send time (coordinated-omission corrected).");
        sb.Append("</p>");

        sb.Append("<table id=\"summary\"><tr><th>connections requested</th><th>established</th><th>failed</th><th>connect rate /s</th><th>messages ok</th><th>failed</th><th>rate requested /s</th><th>achieved /s</th></tr>");
        sb.Append($"<tr><td>{r.Plan.ShareConnections}</td><td>{t.Established}</td><td>{t.ConnectFailed}</td><td>{F(r.ConnectRatePerSecond)}</td><td>{t.Ok}</td><td>{t.Failed}</td><td>{F(r.RequestedRate)}</td><td>{F(r.AchievedRate)}</td></tr></table>");

        sb.Append("<h2>Steps</h2><table id=\"steps\"><tr><th>step</th><th>requests</th><th>ok</th><th>failed</th><th>rps</th><th>min µs</th><th>mean µs</th><th>max µs</th><th>p50</th><th>p75</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>p99.99</th><th>stddev</th><th>data MB</th></tr>");
        foreach (var s in r.Steps)
            sb.Append($"<tr><td>{E(s.Name)}</td><td>{s.Requests}</td><td>{s.Ok}</td><td>{s.Failed}</td><td>{F(s.Rps)}</td><td>{F(s.Min)}</td><td>{F(s.Mean)}</td><td>{F(s.Max)}</td><td>{F(s.P(50))}</td><td>{F(s.P(75))}</td><td>{F(s.P(90))}</td><td>{F(s.P(95))}</td><td>{F(s.P(99))}</td><td>{F(s.P(99.9))}</td><td>{F(s.P(99.99))}</td><td>{F(s.StdDev)}</td><td>{F(s.BytesAll / 1048576.0)}</td></tr>");
        sb.Append("</table>");

        sb.Append("<h2>Errors</h2>");
        if (t.Errors.Count == 0) sb.Append("<p id=\"errors\">none</p>");
        else
        {
            sb.Append("<table id=\"errors\"><tr><th>kind</th><th>count</th></tr>");
            foreach (var (kind, n) in t.Errors.OrderByDescending(e => e.Value)) sb.Append($"<tr><td>{E(kind)}</td><td>{n}</td></tr>");
            sb.Append("</table>");
        }

        sb.Append("<h2>Charts</h2>");
        sb.Append(SvgChart.Line("latency-over-time", $"{r.MessageStepName} latency over time (per second)", "seconds", "latency µs (log)",
        [
            new("p50", "#1f77b4", timeline.Where(p => p.P50 > 0).Select(p => ((double)p.Seq + 1, p.P50)).ToList()),
            new("p99", "#ff7f0e", timeline.Where(p => p.P99 > 0).Select(p => ((double)p.Seq + 1, p.P99)).ToList()),
            new("max", "#d62728", timeline.Where(p => p.Max > 0).Select(p => ((double)p.Seq + 1, p.Max)).ToList()),
        ], logY: true));
        sb.Append(SvgChart.Line("percentile-distribution", $"{r.MessageStepName} latency by percentile", "percentile", "latency µs (log)",
        [
            new("latency", "#2ca02c", Distribution(t.Latency)),
        ], logX: true, logY: true, xFormat: x => Pct(1 - 1 / x)));
        sb.Append(SvgChart.Line("connections-over-time", "connections over time", "seconds", "connections",
        [
            new("open", "#9467bd", timeline.Select(p => ((double)p.Seq + 1, (double)p.Alive)).ToList()),
            new("failed (cumulative)", "#d62728", Cumulative(timeline.Select(p => (double)p.ConnectFailed)).ToList()),
        ]));
        sb.Append(SvgChart.Line("throughput-over-time", "messages per second", "seconds", "messages/s",
        [
            new("ok", "#1f77b4", timeline.Select(p => ((double)p.Seq + 1, (double)p.Ok)).ToList()),
            new("failed", "#d62728", timeline.Select(p => ((double)p.Seq + 1, (double)p.Failed)).ToList()),
        ]));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>HdrHistogram's percentile plot: x is 1/(1-percentile), so the tail gets the room.</summary>
    private static List<(double X, double Y)> Distribution(HistogramBase h)
    {
        var points = new List<(double, double)>();
        if (h.TotalCount == 0) return points;
        foreach (double pct in new[] { 0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999 })
            points.Add((1 / (1 - pct / 100), h.GetValueAtPercentile(pct)));
        points.Add((1 / (1 - 0.99999), h.GetMaxValue()));
        return points;
    }

    private static IEnumerable<(double, double)> Cumulative(IEnumerable<double> values)
    {
        double sum = 0;
        int i = 0;
        foreach (var v in values) yield return (++i, sum += v);
    }

    private static string Pct(double fraction) => (fraction * 100).ToString("0.###", CultureInfo.InvariantCulture) + "%";
    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
