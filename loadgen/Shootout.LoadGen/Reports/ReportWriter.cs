namespace Shootout.LoadGen.Reports;

/// <summary>Writes every report file into the report directory; each goes through a temporary file so a
/// reader never sees half a report.</summary>
internal static class ReportWriter
{
    public static void WriteAll(string dir, RunResult result)
    {
        Directory.CreateDirectory(dir);
        Write(dir, "summary.json", SummaryJson.Write(result));
        Write(dir, "report.csv", CsvReport.Write(result));
        Write(dir, "report.md", MarkdownReport.Write(result));
        Write(dir, "report.html", HtmlReport.Write(result));
    }

    private static void Write(string dir, string name, string content)
    {
        var path = Path.Combine(dir, name);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, content);
        File.Move(tmp, path, overwrite: true);
    }
}
