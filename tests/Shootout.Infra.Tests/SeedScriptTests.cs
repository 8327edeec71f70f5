using System.Text.Json.Nodes;

namespace Shootout.Infra.Tests;

/// <summary>
/// `make seed` at the scale of a test: every variant's N tasks sleep and are joined under /usr/bin/time,
/// the table, summary.json and charts are written, and the kernel limits raised for the thread variants
/// go back. The figures themselves belong to real runs (docs/results.md).
/// </summary>
public sealed class SeedScriptTests
{
    private static readonly string[] Variants = ["rust-thread", "go-goroutine", "dotnet-thread", "dotnet-task", "netpoll-fiber"];

    [Fact]
    public void Seed_times_every_variant_and_writes_its_table_summary_and_charts()
    {
        string results = Directory.CreateTempSubdirectory("seed-test-").FullName;
        try
        {
            var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(8), null,
                Repo.File("seed/seed.sh"), "--tasks", "3000", "--threads-per-process", "2000", "--results-dir", results);
            Assert.True(code == 0, output);
            string dir = Path.Combine(results, "seed-latest");
            var table = File.ReadAllText(Path.Combine(dir, "table.txt"));
            var variants = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!["variants"]!.AsObject();
            Assert.Equal(Variants, variants.Select(kv => kv.Key));
            foreach (var (name, node) in variants)
            {
                Assert.True(node!["status"]!.GetValue<string>() == "ok", $"{name}: {node.ToJsonString()}\n{output}");
                Assert.Equal(3000, node["tasks"]!.GetValue<int>());
                Assert.True(node["peak_alive"]!.GetValue<int>() > 0, name);
                Assert.True(node["rss_per_task_bytes"]!.GetValue<double>() > 0, name);
                // Every task slept a second, so nothing finishes sooner.
                Assert.True(node["elapsed_s"]!.GetValue<double>() >= 1, name);
                Assert.NotNull(node["user_s"]);
                Assert.NotNull(node["sys_s"]);
                Assert.Null(node["wall"]);
                Assert.Contains(name, table);
            }
            // .NET threads spread over processes of the size asked for.
            Assert.Equal(2, variants["dotnet-thread"]!["processes"]!.GetValue<int>());
            Assert.Equal(8704, variants["rust-thread"]!["quoted_rss_per_task_bytes"]!.GetValue<int>());
            foreach (var png in new[] { "seed-memory.png", "seed-time.png" })
                Assert.True(new FileInfo(Path.Combine(dir, png)).Length > 5_000, png);
            // Each limit raised for the thread variants is said, and put back to what it was (other tests may move them meanwhile, so the script's word is read).
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(output, @"sysctl (?<key>\S+): (?<old>\d+) -> \d+"))
                Assert.Contains($"sysctl {m.Groups["key"].Value}: put back to {m.Groups["old"].Value}", output);
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void Seed_refuses_an_unknown_variant_with_a_clear_line()
    {
        var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(1), null, Repo.File("seed/seed.sh"), "--variants", "go,java");
        Assert.Equal(2, code);
        Assert.Contains("unknown variant 'java'", output);
    }
}
