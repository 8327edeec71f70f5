using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// The benchmark scripts at the scale of a test: `make bench`'s every row (the reference servers and the
/// three engines) takes every idle connection, serves every used one and echoes; the bare-socket
/// reference's million script holds what it asks for. The figures themselves belong to real runs, not here.
/// </summary>
public sealed partial class BenchScriptTests
{
    [Fact]
    public void Bench_measures_every_reference_server_and_every_engine()
    {
        Repo.Built("shootout-server");
        string results = Directory.CreateTempSubdirectory("bench-test-").FullName;
        try
        {
            var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(5), null,
                Repo.File("tests/bench/bench.sh"), "--connections", "300", "--echo-connections", "20", "--seconds", "1", "--results-dir", results);

            Assert.True(code == 0, output);
            // The Go and Rust references need Debian's toolchains (make bench installs them, make test does not):
            // without one, its row is left out with a line saying why.
            var optional = new[] { "go", "rust" }.Where(r => Regex.IsMatch(output, $@"^{r}\s+skipped: \S", RegexOptions.Multiline));
            foreach (var row in new[] { "c", "go", "rust", "dotnet-socket", "threads", "async", "epoll" }.Except(optional))
            {
                var m = Row().Matches(output).FirstOrDefault(r => r.Groups["name"].Value == row);
                Assert.True(m is not null, $"no measured row for {row}:\n{output}");
                Assert.Equal("300", m.Groups["held"].Value);
                Assert.True(long.Parse(m.Groups["accepts"].Value) > 0, $"{row} accepted nothing:\n{output}");
                Assert.True(long.Parse(m.Groups["msgs"].Value) > 0, $"{row} echoed nothing:\n{output}");
            }
            // Saved under the results directory, one directory a run, bench-latest pointing at it.
            var saved = Assert.Single(Directory.GetDirectories(results, "bench-2*"));
            Assert.Contains("dotnet-socket", File.ReadAllText(Path.Combine(saved, "table.txt")));
            Assert.True(File.Exists(Path.Combine(results, "bench-latest", "summary.json")), $"no bench-latest/summary.json in {results}");
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void The_bare_socket_reference_holds_never_used_connections_and_puts_the_sysctls_back()
    {
        Repo.Built("shootout-loadgen");
        string[] sysctls = ["net/core/somaxconn", "net/ipv4/tcp_max_syn_backlog", "net/ipv4/ip_local_port_range"];
        var before = sysctls.Select(k => File.ReadAllText("/proc/sys/" + k)).ToArray();

        var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(5), null,
            Repo.File("tests/bench/dotnet-socket-million.sh"), "--connections", "2000");

        Assert.True(code == 0, output);
        var m = Held().Match(output);
        Assert.True(m.Success, output);
        // Held is read from the copies' descriptor tables, so it may count one the runtime opened meanwhile.
        Assert.InRange(int.Parse(m.Groups["held"].Value), 2000, 2010);
        Assert.True(long.Parse(m.Groups["bytes"].Value) > 0, output);
        Assert.Equal(before, sysctls.Select(k => File.ReadAllText("/proc/sys/" + k)).ToArray());
    }

    [GeneratedRegex(@"^held (?<held>\d+) of 2000 in [\d.]+ s; RSS growth -?\d+ MiB = (?<bytes>-?\d+) B/conn", RegexOptions.Multiline)]
    private static partial Regex Held();

    // row, held, accepts/s, idle and used B/conn (either may be negative on a noisy machine; idle is
    // "fail" when the server did not take every connection), threads, echo msgs/s, user and system CPU seconds
    [GeneratedRegex(@"^(?<name>[a-z-]+)\s+(?<held>\d+)\s+(?<accepts>\d+)\s+-?\d+\s+-?\d+\s+\d+\s+(?<msgs>\d+)\s+[\d.]+\s+[\d.]+\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
