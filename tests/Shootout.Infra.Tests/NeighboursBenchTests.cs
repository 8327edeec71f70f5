using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// `make bench`'s light-clients-beside-heavy-neighbours table at the scale of a test: a row per engine,
/// the threads engine always measured in the same run as the reference of the p99 ratio, every probe
/// answered. The latency figures themselves belong to real runs, not here.
/// </summary>
public sealed partial class NeighboursBenchTests
{
    /// <summary>With --baseline, each engine of the other build runs right after this build's (here the same build stands in for it).</summary>
    [Fact]
    public void Neighbours_bench_measures_each_engine_beside_the_threads_engine()
    {
        string bin = Path.GetDirectoryName(Repo.Built("shootout-server"))!;
        Repo.Built("shootout-loadgen");
        string results = Directory.CreateTempSubdirectory("neighbours-bench-test-").FullName;
        try
        {
            var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(3), null, Repo.File("tests/bench/neighbours.sh"),
                "--floods", "2", "--never-reading", "1", "--probes", "5", "--seconds", "1", "--rounds", "1", "--engines", "epoll",
                "--baseline", bin, "--results-dir", results);

            Assert.True(code == 0, output);
            foreach (var engine in new[] { "threads", "epoll", "epoll@base" })
            {
                var m = Row().Matches(output).FirstOrDefault(r => r.Groups["engine"].Value == engine);
                Assert.True(m is not null, $"no measured row for {engine}:\n{output}");
                Assert.Equal("0", m.Groups["failed"].Value);
                Assert.True(double.Parse(m.Groups["p50"].Value) <= double.Parse(m.Groups["p99"].Value), output);
                Assert.InRange(double.Parse(m.Groups["jain"].Value), 0.5, 1.0);
                Assert.True(double.Parse(m.Groups["mean"].Value) > 0, $"{engine}'s floods moved nothing:\n{output}");
            }
            Assert.Equal("1.00x", Row().Matches(output).First(r => r.Groups["engine"].Value == "threads").Groups["vs"].Value);
            Assert.Contains("threads", File.ReadAllText(Assert.Single(Directory.GetFiles(results, "neighbours-*.txt"))));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void Over_rounds_each_engine_s_median_p99_is_set_against_the_threads_engine_s_median()
    {
        var (code, output) = BenchAwk.Run("neighbours-medians.awk", [
            "engine round p50_ms p99_ms max_ms p99/threads failed slowest/mean mean_MiB/s jain",
            "threads 1 0.10 40.00 90.00 1.00x 0 0.95 50.00 0.999",
            "epoll 1 0.10 8.00 20.00 0.20x 0 0.90 90.00 0.998",
            "threads 2 0.10 4.00 40.00 1.00x 0 0.96 60.00 0.999",
            "epoll 2 0.30 9.00 20.00 2.25x 0 0.80 90.00 0.990",
            "epoll 3 failed: no answer",
            "threads 3 0.20 6.00 40.00 1.00x 0 0.97 60.00 0.999",
            "epoll 3 0.20 7.00 20.00 1.17x 0 0.85 90.00 0.995",
        ]);

        Assert.True(code == 0, output);
        Assert.Matches(@"(?m)^threads\s+3\s+0\.10\s+6\.00\s+1\.00x\s+0\.95$", output);
        Assert.Matches(@"(?m)^epoll\s+3\s+0\.20\s+8\.00\s+1\.33x\s+0\.80$", output);
    }

    [GeneratedRegex(@"^(?<engine>[\w@]+)\s+1\s+(?<p50>[\d.]+)\s+(?<p99>[\d.]+)\s+[\d.]+\s+(?<vs>[\d.]+x)\s+(?<failed>\d+)\s+[\d.]+\s+(?<mean>[\d.]+)\s+(?<jain>[\d.]+)$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
