using System.Globalization;
using System.Net;
using System.Text;
using HdrHistogram;
using Shootout.Charts;

namespace Shootout.LoadGen.Reports;

/// <summary>DIR/report.html: one self-contained page (inline CSS and SVG, no script, no network).</summary>
// The same tables as report.md (MarkdownReport), in HTML: each format keeps its own markup, row by row.
internal static class HtmlReport
{
    public static string Write(RunResult r)
    {
        var t = r.Totals;
        var timeline = t.Timeline;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
        sb.Append(E($"Load test: {r.Plan.ScenarioName} — {r.Plan.TargetLabel}"));
        sb.Append("</title><style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}"
                  + "td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}"
                  + "td:first-child,th:first-child{text-align:left}.status-ok{color:#1a7f37}"
                  + ".status-failed,.status-interrupted,.status-thresholds_failed{color:#cf222e}"
                  + "svg.chart{max-width:960px;margin:16px 0;display:block}</style></head><body>");
        sb.Append($"<h1>{E(r.Plan.ScenarioName)} against {E(r.Plan.TargetLabel)}</h1>");
        sb.Append($"<p>Status: <strong class=\"status-{E(r.Status)}\">{E(r.Status)}</strong> (exit {r.ExitCode})");
        sb.Append($"{(r.Message is null ? "" : " — " + E(r.Message))}<br>");
        sb.Append($"Started {r.StartedAt:u}; measured {F(t.MeasuredSeconds)} s; agents {r.Agents}; message size {r.Plan.MessageSize} B.");
        if (r.Plan.OpenModel) sb.Append(" Latency counts from each message's scheduled send time (coordinated-omission corrected).");
        sb.Append("</p>");

        sb.Append("<table id=\"summary\">");
        Row(sb, "th", "connections requested", "established", "failed", "connect rate /s", "messages ok", "failed",
            "rate requested /s (mean)", "achieved /s");
        Row(sb, "td", r.Plan.ShareConnections, t.Established, t.ConnectFailed, F(r.ConnectRatePerSecond), t.Ok, t.Failed,
            F(r.RequestedRate), F(r.AchievedRate));
        sb.Append("</table>");

        sb.Append("<h2>Steps</h2><table id=\"steps\">");
        Row(sb, "th", "step", "requests", "ok", "failed", "rps", "min µs", "mean µs", "max µs", "p50", "p75", "p90", "p95", "p99",
            "p99.9", "p99.99", "stddev", "data MB");
        foreach (var s in r.Steps)
            Row(sb, "td", E(s.Name), s.Requests, s.Ok, s.Failed, F(s.Rps), F(s.Min), F(s.Mean), F(s.Max), F(s.P(50)), F(s.P(75)),
                F(s.P(90)), F(s.P(95)), F(s.P(99)), F(s.P(99.9)), F(s.P(99.99)), F(s.StdDev), F(s.BytesAll / 1048576.0));
        sb.Append("</table>");
        sb.Append("</table>");

        if (r.Thresholds.Count > 0)
        {
            sb.Append("<h2>Thresholds</h2><table id=\"thresholds\"><tr><th>threshold</th><th>observed</th><th>result</th></tr>");
            foreach (var x in r.Thresholds)
                sb.Append($"<tr><td><code>{E(x.Expression)}</code></td><td>{E(x.ObservedText)}</td>"
                    + $"<td class=\"status-{(x.Passed ? "ok" : "failed")}\">{(x.Passed ? "pass" : "FAIL")}</td></tr>");
            sb.Append("</table>");
        }
        sb.Append("<h2>Hints</h2>");
        if (r.Hints.Count == 0) sb.Append("<p id=\"hints\">none: nothing suggests the generator limited these figures</p>");
        else
        {
            sb.Append("<ul id=\"hints\">");
            foreach (var h in r.Hints) sb.Append($"<li><strong>{E(h.Kind)}</strong>: {E(h.Cause)} <em>{E(h.Suggestion)}</em></li>");
            sb.Append("</ul>");
        }
        sb.Append("<h2>Phases: requested against achieved</h2><table id=\"phases\"><tr><th>phase</th><th>kind</th><th>start s</th>"
            + "<th>seconds</th><th>requested /s</th><th>achieved /s</th><th>ok</th></tr>");
        foreach (var p in r.Phases)
            sb.Append($"<tr><td>{p.Index + 1}</td><td>{p.Kind}</td><td>{F(p.StartSeconds)}</td><td>{F(p.Seconds)}</td>"
                + $"<td>{(p.Requested is { } q ? F(q) : "–")}</td><td>{F(p.Achieved)}</td><td>{p.Ok}</td></tr>");
        sb.Append("</table>");
        sb.Append("<h2>Latency beside the round trip (µs)</h2><table id=\"latencies\"><tr><th>measure</th><th>count</th><th>p50</th>"
            + "<th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr>");
        foreach (var l in r.Latencies)
            Row(sb, "td", l.Name, l.Count, F(l.P50), F(l.P90), F(l.P99), F(l.P999), F(l.Max));
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
        sb.Append(SvgXyChart.Render(new XyChart("latency-over-time", $"{r.MessageStepName} latency over time (per second)", "seconds", "latency µs",
        [
            new("p50", timeline.Where(p => p.P50 > 0).Select(p => ((double)p.Seq + 1, p.P50)).ToList(), "#1f77b4"),
            new("p99", timeline.Where(p => p.P99 > 0).Select(p => ((double)p.Seq + 1, p.P99)).ToList(), "#ff7f0e"),
            new("max", timeline.Where(p => p.Max > 0).Select(p => ((double)p.Seq + 1, p.Max)).ToList(), "#d62728"),
        ], LogY: true, Css: "chart")));
        var spectra = new List<XySeries> { new("round trip", Distribution(t.Latency), "#2ca02c") };
        if (t.FirstByte.TotalCount > 0) spectra.Add(new("time to first byte", Distribution(t.FirstByte), "#1f77b4"));
        if (t.Connect.TotalCount > 0) spectra.Add(new("connect", Distribution(t.Connect), "#9467bd"));
        sb.Append(SvgXyChart.Render(new XyChart("percentile-distribution", $"{r.MessageStepName} latency by percentile, beside time to first byte and connect",
            "percentile", "latency µs", spectra, LogY: true, XTicks: PercentileAxis.Ticks, Css: "chart")));
        sb.Append(SvgXyChart.Render(new XyChart("connections-over-time", "connections over time", "seconds", "connections",
        [
            new("open", timeline.Select(p => ((double)p.Seq + 1, (double)p.Alive)).ToList(), "#9467bd"),
            new("failed (cumulative)", Cumulative(timeline.Select(p => (double)p.ConnectFailed)).ToList(), "#d62728"),
        ], Css: "chart")));
        sb.Append(SvgXyChart.Render(new XyChart("throughput-over-time", "messages per second", "seconds", "messages/s",
        [
            new("ok", timeline.Select(p => ((double)p.Seq + 1, (double)p.Ok)).ToList(), "#1f77b4"),
            new("failed", timeline.Select(p => ((double)p.Seq + 1, (double)p.Failed)).ToList(), "#d62728"),
        ], Css: "chart")));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>HdrHistogram's percentile plot, on the shared percentile axis (the tail gets the room).</summary>
    private static List<(double X, double Y)> Distribution(HistogramBase h)
    {
        var points = new List<(double, double)>();
        if (h.TotalCount == 0) return points;
        foreach (double pct in new[] { 0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999 })
            points.Add((PercentileAxis.At(pct), h.GetValueAtPercentile(pct)));
        points.Add((PercentileAxis.Max, h.GetMaxValue()));
        return points;
    }

    private static IEnumerable<(double, double)> Cumulative(IEnumerable<double> values)
    {
        double sum = 0;
        int i = 0;
        foreach (var v in values) yield return (++i, sum += v);
    }

    /// <summary>One table row; cells are already escaped or numbers.</summary>
    private static void Row(StringBuilder sb, string cell, params object[] cells)
    {
        sb.Append("<tr>");
        foreach (var c in cells) sb.Append($"<{cell}>{c}</{cell}>");
        sb.Append("</tr>");
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
