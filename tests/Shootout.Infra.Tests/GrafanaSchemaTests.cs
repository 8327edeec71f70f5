namespace Shootout.Infra.Tests;

/// <summary>
/// The dashboards type-checked against Grafana's published schema (npm @grafana/schema, through
/// tests/grafana/check.mjs with Node) and the provisioning files' fields: what can be checked of
/// Grafana without Grafana.
/// </summary>
public sealed class GrafanaSchemaTests
{
    private static readonly string CheckDir = Repo.File("tests/grafana");
    private static readonly Lazy<string> Node = new(Install);

    [Fact]
    public void Dashboards_match_grafanas_schema_and_provisioning_has_only_fields_grafana_reads()
    {
        var (exit, output) = ChildProcess.Run(Node.Value, TimeSpan.FromMinutes(3), CheckDir, "check.mjs", Repo.Root);
        Assert.True(exit == 0, $"tests/grafana/check.mjs exited {exit}:\n{output}");
        Assert.Matches(@"grafana check: \d+ dashboard\(s\), \d+ panel\(s\) match @grafana/schema", output);
    }

    [Fact]
    public void A_field_or_value_grafana_does_not_know_fails_the_check_and_is_named()
    {
        string root = Directory.CreateTempSubdirectory("shootout-grafana-").FullName;
        try
        {
            CopyTree(Repo.File("infra/grafana"), Path.Combine(root, "infra/grafana"));
            string dashboard = Path.Combine(root, "infra/grafana/dashboards/shootout.json");
            string json = File.ReadAllText(dashboard);
            // A misspelt field and a legend mode Grafana has no such value for.
            json = json.Replace("\"description\":", "\"descripton\":").Replace("\"displayMode\": \"list\"", "\"displayMode\": \"lists\"");
            File.WriteAllText(dashboard, json);
            string datasources = Path.Combine(root, "infra/grafana/provisioning/datasources/prometheus.yml");
            File.WriteAllText(datasources, File.ReadAllText(datasources).Replace("isDefault:", "isDefualt:"));

            var (exit, output) = ChildProcess.Run(Node.Value, TimeSpan.FromMinutes(3), CheckDir, "check.mjs", root);

            Assert.True(exit == 1, $"check.mjs exited {exit} on a broken dashboard:\n{output}");
            Assert.Matches(@"shootout.json[^\n]*: Object literal may only specify known properties, and '""descripton""' does not exist", output);
            Assert.Matches(@"panel '[^']+' \(timeseries\): Type '""lists""' is not assignable", output);
            Assert.Contains("unknown field 'isDefualt'", output);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>`npm ci` of the check's pinned packages when node_modules is missing or older than the lock file.</summary>
    private static string Install()
    {
        string node = Repo.Tool("node", "nodejs");
        string installed = Path.Combine(CheckDir, "node_modules/.package-lock.json");
        if (!File.Exists(installed) || File.GetLastWriteTimeUtc(installed) < File.GetLastWriteTimeUtc(Path.Combine(CheckDir, "package-lock.json")))
        {
            var (exit, output) = ChildProcess.Run(Repo.Tool("npm", "npm"), TimeSpan.FromMinutes(5), CheckDir, "ci", "--no-audit", "--no-fund");
            Assert.True(exit == 0, $"npm ci in tests/grafana exited {exit}:\n{output}");
        }
        return node;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (string dir in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
    }
}
