using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// `make bench` at the scale of a test: every row (the two reference servers and the three engines)
/// takes every idle connection, serves every used one and echoes. The figures themselves belong to a real bench run, not here.
/// </summary>
public sealed partial class BenchScriptTests
{
    [Fact]
    public void Bench_measures_both_reference_servers_and_every_engine()
    {
        Repo.Built("shootout-server");
        string results = Directory.CreateTempSubdirectory("bench-test-").FullName;
        try
        {
            var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(5), null,
                Repo.File("tests/bench/bench.sh"), "--connections", "300", "--echo-connections", "20", "--seconds", "1", "--results-dir", results);

            Assert.True(code == 0, output);
            foreach (var row in new[] { "c-epoll", "dotnet-socket", "threads", "async", "epoll" })
            {
                var m = Row().Matches(output).FirstOrDefault(r => r.Groups["name"].Value == row);
                Assert.True(m is not null, $"no measured row for {row}:\n{output}");
                Assert.Equal("300", m.Groups["held"].Value);
                Assert.True(long.Parse(m.Groups["accepts"].Value) > 0, $"{row} accepted nothing:\n{output}");
                Assert.True(long.Parse(m.Groups["msgs"].Value) > 0, $"{row} echoed nothing:\n{output}");
            }
            var saved = Assert.Single(Directory.GetFiles(results, "bench-*.txt"));
            Assert.Contains("dotnet-socket", File.ReadAllText(saved));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    // engine, held, accepts/s, idle and used B/conn (either may be negative on a noisy machine; idle is
    // "fail" when the server did not take every connection), threads, echo msgs/s
    [GeneratedRegex(@"^(?<name>[a-z-]+)\s+(?<held>\d+)\s+(?<accepts>\d+)\s+-?\d+\s+-?\d+\s+\d+\s+(?<msgs>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
