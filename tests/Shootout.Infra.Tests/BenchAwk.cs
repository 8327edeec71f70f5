namespace Shootout.Infra.Tests;

/// <summary>One of the bench's awk scripts (tests/bench/*.awk) run on a table of the test's own, as bench.sh runs it.</summary>
public static class BenchAwk
{
    public static (int ExitCode, string Output) Run(string script, IEnumerable<string> table)
    {
        string dir = Directory.CreateTempSubdirectory("bench-awk-test-").FullName;
        try
        {
            string file = Path.Combine(dir, "table.txt");
            File.WriteAllLines(file, table);
            return ChildProcess.Run("awk", TimeSpan.FromSeconds(30), null,
                "-f", Repo.File("tests/bench/median.awk"), "-f", Repo.File($"tests/bench/{script}"), file);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
