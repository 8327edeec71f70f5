using Shootout.LoadGen.Reports;

namespace Shootout.LoadGen.Neighbours;

/// <summary>Writes summary.json, report.md and report.html into the report directory, each through a temporary file.</summary>
internal static class NeighboursReports
{
    public static void WriteAll(string dir, NeighboursResult result) => ReportWriter.WriteFiles(dir,
        ("summary.json", NeighboursSummaryJson.Write(result)),
        ("report.md", NeighboursMarkdown.Write(result)),
        ("report.html", NeighboursHtml.Write(result)));
}
