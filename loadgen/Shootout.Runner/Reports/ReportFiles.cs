using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>Everything a run leaves in its results directory.</summary>
internal static class ReportFiles
{
    public static void WriteAll(string dir, RunSummary s)
    {
        var charts = Charts.For(s);
        var growth = GrowthCharts.For(s);
        File.WriteAllText(Path.Combine(dir, "summary.json"), SummaryJson.Write(s));
        string markdown = MarkdownReport.Render(s, charts, growth);
        File.WriteAllText(Path.Combine(dir, "report.md"), markdown);
        const string heading = "## How it was measured";
        int from = markdown.IndexOf(heading, StringComparison.Ordinal) + heading.Length;
        string method = markdown[from..markdown.IndexOf("## Charts", StringComparison.Ordinal)].Trim();
        File.WriteAllText(Path.Combine(dir, "report.html"), HtmlReport.Render(s, charts, growth, method));
        PngCharts.Write(dir, charts);
        foreach (var chart in growth) PngXyChart.Write(Path.Combine(dir, $"{chart.Slug}.png"), chart);
    }
}
