using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// The benchmark scripts at the scale of a test: `make bench`'s every row (the reference servers in C, Go,
/// Rust and bare .NET, and the four engines) takes every idle connection, serves every used one and echoes; the bare-socket
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
            string[] rows = ["c", "go", "rust", "dotnet-socket", "threads", "async", "epoll", "uring"];
            foreach (var row in rows)
            {
                var m = Row().Matches(output).FirstOrDefault(r => r.Groups["name"].Value == row);
                Assert.True(m is not null, $"no measured row for {row}:\n{output}");
                Assert.Equal("300", m.Groups["held"].Value);
                Assert.True(long.Parse(m.Groups["accepts"].Value) > 0, $"{row} accepted nothing:\n{output}");
                Assert.True(long.Parse(m.Groups["msgs"].Value) > 0, $"{row} echoed nothing:\n{output}");
            }
            Assert.Contains("dotnet-socket", File.ReadAllText(Path.Combine(results, "bench-latest", "table.txt")));
            // summary.json: one object per row, keyed by its name, units in the field names.
            var summary = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(results, "bench-latest", "summary.json")))!.AsObject();
            Assert.Equal(rows, summary.Select(kv => kv.Key));
            foreach (var (name, node) in summary)
            {
                Assert.True(node!["status"]!.GetValue<string>() == "ok", $"{name}: {node.ToJsonString()}");
                Assert.Equal(300, node["connections"]!.GetValue<int>());
                Assert.True(node["accepts_per_s"]!.GetValue<double>() > 0, name);
                Assert.True(node["echo_msgs_per_s"]!.GetValue<double>() > 0, name);
                Assert.True(node["idle_bytes_per_connection"]!.GetValue<double>() >= 0, name);
                Assert.NotNull(node["used_bytes_per_connection"]);
                Assert.True(node["threads"]!.GetValue<int>() > 0, name);
                Assert.NotNull(node["cpu_user_s"]);
                Assert.NotNull(node["cpu_system_s"]);
            }
            Assert.Equal("reference", summary["go"]!["kind"]!.GetValue<string>());
            Assert.Equal("engine", summary["epoll"]!["kind"]!.GetValue<string>());
            Assert.True(summary["rust"]!["threads"]!.GetValue<int>() >= 300, "rust: a thread per connection");
            // The ratios the engines' targets are stated in, read side by side, are printed and kept.
            Assert.Matches(@"(?m)^uring/epoll echo\s+[\d.]+\s+[\d.]+$", output);
            Assert.Contains("uring/c echo", File.ReadAllText(Path.Combine(results, "bench-latest", "ratios.txt")));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void Ratios_are_taken_within_each_round_and_their_median_over_rounds_is_reported()
    {
        // The columns bench.sh prints: row held accepts/s idle_B/conn used_B/conn threads echo_msgs/s user_s sys_s
        var (code, output) = BenchAwk.Run("ratios.awk", [
            "row held accepts/s idle_B/conn used_B/conn threads echo_msgs/s user_s sys_s",
            "c 10 1000 0 0 2 400 0.1 0.1",
            "epoll@base 10 1000 0 0 2 100 0.1 0.1", "epoll 10 1100 0 0 2 200 0.1 0.1", "uring 10 2200 0 0 2 300 0.1 0.1",
            "epoll@base#2 10 1000 0 0 2 100 0.1 0.1", "epoll#2 10 900 0 0 2 100 0.1 0.1", "uring#2 10 900 0 0 2 100 0.1 0.1",
            "epoll@base#3 10 1000 0 0 2 100 0.1 0.1", "epoll#3 10 1000 0 0 2 150 0.1 0.1", "uring#3 10 fail 0 0 2 150 0.1 0.1",
        ]);

        Assert.True(code == 0, output);
        Assert.Matches(@"(?m)^epoll new/base echo\s+2\.000 1\.000 1\.500\s+1\.500$", output);
        Assert.Matches(@"(?m)^epoll new/base accepts\s+1\.100 0\.900 1\.000\s+1\.000$", output);
        Assert.Matches(@"(?m)^uring/epoll echo\s+1\.500 1\.000 1\.000\s+1\.000$", output);
        Assert.Matches(@"(?m)^uring/epoll accepts\s+2\.000 1\.000\s+1\.500$", output); // a failed figure is no ratio
        Assert.Matches(@"(?m)^uring/c echo\s+0\.750 0\.250 0\.375\s+0\.375$", output);
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

    // engine, held, accepts/s, idle and used B/conn (either may be negative on a noisy machine; idle is
    // "fail" when the server did not take every connection), threads, echo msgs/s
    [GeneratedRegex(@"^(?<name>[a-z-]+)\s+(?<held>\d+)\s+(?<accepts>\d+)\s+-?\d+\s+-?\d+\s+\d+\s+(?<msgs>\d+)\s+[\d.]+\s+[\d.]+\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();
}
