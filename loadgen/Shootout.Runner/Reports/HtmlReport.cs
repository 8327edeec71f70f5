using System.Globalization;
using System.Text;
using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>
/// report.html: one self-contained file (no network: inline SVG charts, inline style). A small inline
/// script marks the page once every chart has bars, so a headless browser can tell the page worked.
/// </summary>
internal static class HtmlReport
{
    public static string Render(RunSummary s, IReadOnlyList<Chart> charts, IReadOnlyList<XyChart> growth, string markdownMethod)
    {
        var sb = new StringBuilder();
        sb.AppendLine("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Echo Server Shootout</title>");
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}" +
                      "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}" +
                      "td.best{font-weight:bold;background:#e6f4ea}td.failed{color:#b00020;text-align:left}tr.reference td{color:#777}" +
                      ".charts svg{display:block;width:100%;height:auto;margin:1em 0;border:1px solid #eee;background:#fff}" +
                      "pre{white-space:pre-wrap}</style></head>");
        sb.AppendLine("<body data-charts-ready=\"no\">");
        sb.AppendLine("<h1>Echo Server Shootout</h1>");
        sb.AppendLine(F($"<p>{E(s.StartedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))} · {s.Machine.Cores} cores · ") +
                      F($"{s.Machine.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB · Linux {E(s.Machine.Kernel)} · open-file limit ") +
                      F($"{s.Machine.RlimitNofile} · {s.ConnectionsPerEngine:N0} idle connections per engine · wall time {s.WallSeconds:0} s</p>"));
        sb.AppendLine("<table id=\"comparison\"><thead><tr><th>engine</th>");
        foreach (var c in Columns.All) sb.Append("<th>").Append(E(c.Header)).Append("</th>");
        sb.AppendLine("<th>status</th></tr></thead><tbody>");
        foreach (var r in s.Rows)
        {
            string kind = r.IsReference ? "data-reference" : "data-engine";
            sb.Append($"<tr {kind}=\"{E(r.Engine)}\" data-status=\"{r.Status}\"><td>{E(r.Label)}</td>");
            foreach (var c in Columns.All)
                sb.Append(c.IsBest(r, s.Engines) ? $"<td class=\"best\">{E(c.Text(r))} ★</td>" : $"<td>{E(c.Text(r))}</td>");
            sb.AppendLine(r.Status == "ok" ? $"<td>{E(r.StatusText)}</td></tr>" : $"<td class=\"failed\">{E(r.StatusText)}</td></tr>");
        }
        foreach (var (name, unit, bytes) in Reference.Points)
        {
            sb.Append($"<tr class=\"reference\"><td>{E(name)} (seed)</td>");
            foreach (var c in Columns.All)
                sb.Append(c.Header == "user B/conn" ? F($"<td>{bytes:N0}</td>") : "<td></td>");
            sb.AppendLine(F($"<td>quoted, not measured here: {bytes / 1024:0.0} KB per {E(unit)}</td></tr>"));
        }
        sb.AppendLine("</tbody></table><p>★ best in column.</p>");
        sb.AppendLine("<div class=\"charts\">");
        foreach (var c in charts) sb.AppendLine(SvgChart.Render(c));
        sb.AppendLine(SvgXyChart.Render(growth[0]));
        sb.AppendLine("</div>");
        sb.AppendLine("<h2>How cost grows</h2><p>Least-squares lines through memory against connections held, sampled as each ramp went: the " +
                      "slope is the bytes each connection costs, the intercept the fixed cost.</p>");
        sb.AppendLine("<table id=\"growth\"><thead><tr><th>row</th><th>user B/conn (slope)</th><th>user fixed MiB</th><th>user R²</th>" +
                      "<th>kernel B/conn (slope)</th><th>kernel fixed MiB</th><th>kernel R²</th><th>samples</th></tr></thead><tbody>");
        foreach (var r in s.Rows)
        {
            var cells = $"{MarkdownReport.FitCells(r.UserFit)} | {MarkdownReport.FitCells(r.KernelFit)}".Split(" | ");
            sb.Append($"<tr data-growth=\"{E(r.Engine)}\"><td>{E(r.Label)}</td>");
            foreach (var cell in cells) sb.Append("<td>").Append(E(cell)).Append("</td>");
            sb.AppendLine(F($"<td>{r.Timeline.Growth.Count}</td></tr>"));
        }
        sb.AppendLine("</tbody></table>");
        sb.AppendLine("<div class=\"charts\">");
        foreach (var c in growth.Skip(1)) sb.AppendLine(SvgXyChart.Render(c));
        sb.AppendLine("</div>");
        sb.AppendLine("<h2>How it was measured</h2><pre>").Append(E(markdownMethod)).AppendLine("</pre>");
        string expected = (charts.Count + growth.Count).ToString(CultureInfo.InvariantCulture);
        sb.AppendLine("<script>(function(){var charts=document.querySelectorAll('svg.chart');var drawn=0;" +
                      "charts.forEach(function(c){if(c.querySelectorAll('rect.bar,path.line,circle.point').length>0&&c.getBBox().width>0)drawn++;});" +
                      "document.body.setAttribute('data-charts-ready'," +
                      "drawn===" + expected + "&&charts.length===" + expected + "?'yes':'only '+drawn);})();</script>");
        sb.AppendLine("</body></html>");
        return sb.ToString();
    }
}
