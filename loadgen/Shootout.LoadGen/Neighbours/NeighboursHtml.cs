using System.Net;
using System.Text;
using Shootout.Charts;

namespace Shootout.LoadGen.Neighbours;

/// <summary>DIR/report.html: report.md's tables and four charts, one self-contained page.</summary>
internal static class NeighboursHtml
{
    public static string Write(NeighboursResult r)
    {
        var md = NeighboursMarkdown.Write(r);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
        sb.Append(E($"Light clients beside heavy neighbours — {r.Plan.TargetLabel}"));
        sb.Append("</title><style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}" +
                  "td,th{border:1px solid #ddd;padding:4px 8px;text-align:right}th{background:#f4f4f4}" +
                  "svg.chart{max-width:960px;margin:16px 0;display:block}</style></head><body>");
        sb.Append(MarkdownToHtml(md));
        var t = r.Timeline;
        sb.Append("<h2>Charts</h2>");
        sb.Append(SvgXyChart.Render(new XyChart("probe-latency-over-time", "probe latency beside the neighbours (per second)", "seconds", "latency µs",
        [
            new("p50", t.Where(p => p.P50 > 0).Select(p => ((double)p.Second, (double)p.P50)).ToList(), "#1f77b4"),
            new("p99", t.Where(p => p.P99 > 0).Select(p => ((double)p.Second, (double)p.P99)).ToList(), "#ff7f0e"),
            new("max", t.Where(p => p.Max > 0).Select(p => ((double)p.Second, (double)p.Max)).ToList(), "#d62728"),
        ], LogY: true, Css: "chart")));
        sb.Append(SvgXyChart.Render(new XyChart("flood-throughput-over-time", "flood throughput (per second)", "seconds", "MiB/s",
        [
            new("mean flood", t.Select(p => ((double)p.Second, p.FloodBytesPerSecond / Math.Max(1, r.Floods.Count) / 1048576)).ToList(), "#2ca02c"),
            new("slowest flood", t.Select(p => ((double)p.Second, p.SlowestFloodBytesPerSecond / 1048576)).ToList(), "#d62728"),
        ], Css: "chart")));
        sb.Append(SvgXyChart.Render(new XyChart("per-flood-throughput", "each flood's throughput over the window", "flood #", "MiB/s",
        [
            new("flood", r.Floods.Select(f => ((double)f.Index, f.BytesPerSecond / 1048576)).ToList(), "#9467bd"),
        ], Css: "chart")));
        sb.Append(SvgXyChart.Render(new XyChart("jain-over-time", "Jain's fairness index of the floods (per second; 1 = equal shares)", "seconds", "index",
        [
            new("jain", t.Where(p => p.Jain is not null).Select(p => ((double)p.Second, p.Jain!.Value)).ToList(), "#8c564b"),
        ], Css: "chart")));
        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>The markdown report's headings, bullets and tables as HTML: one source for both reports.</summary>
    private static string MarkdownToHtml(string md)
    {
        var sb = new StringBuilder();
        bool inTable = false, inList = false;
        foreach (var raw in md.Split('\n'))
        {
            string line = raw.TrimEnd();
            bool row = line.StartsWith('|');
            if (inTable && !row) { sb.Append("</table>"); inTable = false; }
            if (inList && !line.StartsWith("- ", StringComparison.Ordinal)) { sb.Append("</ul>"); inList = false; }
            if (row)
            {
                var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
                if (cells.All(c => c.Trim(':').All(ch => ch == '-') && c.Length > 0)) continue;
                string tag = inTable ? "td" : "th";
                if (!inTable) { sb.Append("<table>"); inTable = true; }
                sb.Append("<tr>").AppendJoin("", cells.Select(c => $"<{tag}>{Inline(c)}</{tag}>")).Append("</tr>");
            }
            else if (line.StartsWith("## ", StringComparison.Ordinal)) sb.Append($"<h2>{Inline(line[3..])}</h2>");
            else if (line.StartsWith("# ", StringComparison.Ordinal)) sb.Append($"<h1>{Inline(line[2..])}</h1>");
            else if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                if (!inList) { sb.Append("<ul>"); inList = true; }
                sb.Append($"<li>{Inline(line[2..])}</li>");
            }
            else if (line.Length > 0) sb.Append($"<p>{Inline(line)}</p>");
        }
        if (inTable) sb.Append("</table>");
        if (inList) sb.Append("</ul>");
        return sb.ToString();
    }

    private static string Inline(string text)
    {
        var parts = E(text).Split("**");
        var sb = new StringBuilder();
        for (int i = 0; i < parts.Length; i++) sb.Append(i % 2 == 1 ? $"<strong>{parts[i]}</strong>" : parts[i]);
        return sb.ToString();
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
