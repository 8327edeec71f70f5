namespace Shootout.LoadGen.Reports;

/// <summary>Writes every report file into the report directory; each goes through a temporary file so a
/// reader never sees half a report.</summary>
internal static class ReportWriter
{
    public static void WriteAll(string dir, RunResult result) => WriteFiles(dir,
        ("summary.json", SummaryJson.Write(result)),
        ("report.csv", CsvReport.Write(result)),
        ("report.md", MarkdownReport.Write(result)),
        ("report.html", HtmlReport.Write(result)));

    /// <summary>Every scenario's reports go out this way (the neighbours' too).</summary>
    public static void WriteFiles(string dir, params (string Name, string Content)[] files)
    {
        Directory.CreateDirectory(dir);
        foreach (var (name, content) in files)
        {
            var path = Path.Combine(dir, name);
            var tmp = path + ".tmp";
            File.WriteAllText(tmp, content);
            File.Move(tmp, path, overwrite: true);
        }
    }
}
