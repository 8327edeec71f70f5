namespace Shootout.LoadGen.Neighbours;

/// <summary>Writes summary.json, report.md and report.html into the report directory, each through a temporary file.</summary>
internal static class NeighboursReports
{
    public static void WriteAll(string dir, NeighboursResult result)
    {
        Directory.CreateDirectory(dir);
        Write(dir, "summary.json", NeighboursSummaryJson.Write(result));
        Write(dir, "report.md", NeighboursMarkdown.Write(result));
        Write(dir, "report.html", NeighboursHtml.Write(result));
    }

    private static void Write(string dir, string name, string content)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path + ".tmp", content);
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
