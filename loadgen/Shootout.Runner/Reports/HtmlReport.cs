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
        // Narrow tables and charts at the page's width: nothing scrolls sideways at 1280 px (HeadlessChromium checks it).
        sb.AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:1.5em auto;padding:0 1em;color:#222;" +
                      "overflow-wrap:anywhere}table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:14px}" +
                      "th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}" +
                      "td.best{font-weight:bold;background:#e6f4ea}tr.failed td:first-child{color:#b00020}tr.reference td,tr.contender td:first-child" +
                      "{color:#555}#answer{background:#f6f8fa;border-left:4px solid #4c78a8;padding:.2em 1em;margin:1em 0}" +
                      "#answer p{font-size:16px;line-height:1.45;margin:.4em 0}ul.notes{color:#555;font-size:14px}caption{text-align:left;font-weight:bold;" +
                      "padding:.3em 0}p.explain{color:#555;font-size:13px;font-weight:normal;margin:.2em 0}" +
                      ".charts svg{display:block;width:100%;height:auto;margin:1em 0;border:1px solid #eee;background:#fff}" +
                      "pre{white-space:pre-wrap}</style></head>");
        sb.AppendLine("<body data-charts-ready=\"no\">");
        sb.AppendLine("<h1>Echo Server Shootout</h1>");
        sb.AppendLine(F($"<p>{E(s.StartedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture))} · {s.Machine.Cores} cores · ") +
                      F($"{s.Machine.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB · Linux {E(s.Machine.Kernel)} · open-file limit ") +
                      F($"{s.Machine.RlimitNofile} · {s.ConnectionsPerEngine:N0} idle connections per server · wall time {s.WallSeconds:0} s</p>"));
        var answer = Answer.Of(s);
        sb.AppendLine("<section id=\"answer\"><h2>The answer</h2>");
        foreach (var sentence in answer.Sentences) sb.Append("<p>").Append(E(sentence)).AppendLine("</p>");
        if (answer.Gaps.Count > 0)
        {
            sb.AppendLine("<p>Not measured, or not the server's alone:</p><ul class=\"gaps\">");
            foreach (var gap in answer.Gaps) sb.Append("<li>").Append(E(gap)).AppendLine("</li>");
            sb.AppendLine("</ul>");
        }
        Table(sb, Answer.Table, s, "answer-table");
        sb.AppendLine("</section>");
        sb.AppendLine("<h2>The figures</h2><p>★ best among the engines in each column.</p>");
        foreach (var group in Columns.Groups) Table(sb, group, s, group.Slug);
        sb.AppendLine("<ul class=\"notes\">");
        foreach (var note in TableNotes.For(s)) sb.Append("<li>").Append(E(note)).AppendLine("</li>");
        sb.Append("<li class=\"quoted\">").Append(E(TableNotes.Quoted(s))).AppendLine("</li></ul>");
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

    private static void Table(StringBuilder sb, ColumnGroup group, RunSummary s, string id)
    {
        sb.AppendLine($"<table id=\"{id}\"><caption>{E(group.Title)}<p class=\"explain\">{E(group.Explanation)}</p></caption>");
        sb.Append("<thead><tr><th>server</th>");
        foreach (var c in group.Columns) sb.Append("<th>").Append(E(c.Header)).Append("</th>");
        sb.AppendLine("</tr></thead><tbody>");
        foreach (var r in s.Rows)
        {
            string kind = r.IsReference ? "data-reference" : r.IsContender ? "data-contender" : "data-engine";
            string css = r.Status != "ok" ? "failed" : r.IsReference ? "reference" : r.IsContender ? "contender" : "engine";
            sb.Append($"<tr class=\"{css}\" {kind}=\"{E(r.Engine)}\" data-status=\"{r.Status}\"><td>{E(r.Label)}{(r.Status == "ok" ? "" : " ✗")}</td>");
            foreach (var c in group.Columns)
                sb.Append(c.IsBest(r, s.Engines) ? $"<td class=\"best\">{E(c.Text(r))} ★</td>" : $"<td>{E(c.Text(r))}</td>");
            sb.AppendLine("</tr>");
        }
        sb.AppendLine("</tbody></table>");
    }
}
