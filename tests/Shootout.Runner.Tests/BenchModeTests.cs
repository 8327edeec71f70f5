using System.Text.Json.Nodes;

namespace Shootout.Runner.Tests;

/// <summary>
/// `shootout-runner bench` end to end at the scale of a test: the real runner, server, C reference and C client, two rounds.
/// The figures belong to real runs; here, that every row is measured and every ratio comes with its interval and rounds.
/// </summary>
public sealed class BenchModeTests : IClassFixture<BenchModeTests.Tools>
{
    private readonly Tools _tools;

    public BenchModeTests(Tools tools) => _tools = tools;

    /// <summary>The C reference (by the project's build script) and the C client, built once into a temporary directory.</summary>
    public sealed class Tools : IDisposable
    {
        public string Dir { get; } = Directory.CreateTempSubdirectory("bench-tools-").FullName;
        public string BenchClient => Path.Combine(Dir, "bench-client");

        public Tools()
        {
            TestProcess.Run("/bin/bash", [RepoPaths.File("tests/bench/references/build.sh"), Dir, "c"], TimeSpan.FromMinutes(3));
            var (code, _, stderr) = TestProcess.Run("gcc", ["-O2", "-o", BenchClient, RepoPaths.File("tests/bench/bench-client.c")], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"gcc bench-client.c: {stderr}");
        }

        public void Dispose() => Directory.Delete(Dir, recursive: true);
    }

    [Fact]
    public void Two_rounds_of_an_engine_its_baseline_and_the_C_reference_give_every_row_and_each_ratio_with_its_interval()
    {
        // The same build stands in for the baseline: what matters here is that its rows alternate with this build's.
        // 1,000 connections a burst: the server's CPU over its bursts is then some clock ticks, not none.
        var run = RunnerProcess.Run(TimeSpan.FromMinutes(8), "bench", "--connections", "1000", "--echo-connections", "20", "--seconds", "1",
            "--rounds", "2", "--engines", "epoll", "--references", "c", "--references-dir", _tools.Dir, "--bench-client", _tools.BenchClient,
            "--baseline", RunnerProcess.Bin);
        Assert.True(run.ExitCode == 0, run.ToString());
        string latest = Path.Combine(run.ResultsRoot, "bench-latest");
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(latest, "summary.json")))!;

        var rows = summary["rows"]!.AsObject();
        // Every other round in reverse: a row's place in the round is no bias of a ratio.
        Assert.Equal(["c", "epoll@base", "epoll", "epoll#2", "epoll@base#2", "c#2"], rows.Select(kv => kv.Key));
        foreach (var (name, row) in rows)
        {
            Assert.True(row!["status"]!.GetValue<string>() == "ok", $"{name}: {row.ToJsonString()}\n{run}");
            Assert.Equal(1000, row["connections"]!.GetValue<int>());
            // The accept rate is the median of its bursts (3 by default), each measured.
            var bursts = row["accepts_per_s_bursts"]!.AsArray().Select(b => b!.GetValue<double>()).Order().ToArray();
            Assert.Equal(3, bursts.Length);
            Assert.All(bursts, b => Assert.True(b > 0, name));
            Assert.Equal(bursts[1], row["accepts_per_s"]!.GetValue<double>());
            Assert.True(row["accepts_per_cpu_s"]!.GetValue<double>() > 0, name);
            // perf counted the server's syscalls (over the run's cgroup): an echo is at least a read and a write.
            Assert.True(row["syscalls_per_msg"]?.GetValue<double>() >= 1, $"{name}: {row.ToJsonString()}\n{run}");
            Assert.True(row["echo_msgs_per_s"]!.GetValue<double>() > 0, name);
            Assert.True(row["threads"]!.GetValue<int>() > 0, name);
            Assert.NotNull(row["idle_bytes_per_connection"]);
            // CPU per echoed message: something was spent, and no message costs a second.
            var cpu = row["cpu_per_message_us"]!;
            double perMessage = cpu["user"]!.GetValue<double>() + cpu["system"]!.GetValue<double>();
            Assert.InRange(perMessage, 0.0001, 1e6);
        }
        Assert.Equal("reference", rows["c"]!["kind"]!.GetValue<string>());
        Assert.Equal("engine", rows["epoll#2"]!["kind"]!.GetValue<string>());
        Assert.Equal("baseline", rows["epoll@base#2"]!["kind"]!.GetValue<string>());

        // The roles' CPUs are recorded, and apart wherever there are two CPUs to split.
        var cpus = summary["cpus"]!;
        Assert.NotNull(cpus["server"]);
        Assert.NotNull(cpus["loadgen"]);
        if (Environment.ProcessorCount >= 2)
        {
            Assert.False(cpus["shared"]!.GetValue<bool>(), cpus.ToJsonString());
            Assert.Empty(cpus["server"]!.GetValue<string>().Split(',').Intersect(cpus["loadgen"]!.GetValue<string>().Split(',')));
        }

        var ratios = summary["ratios"]!.AsArray();
        Assert.Equal(["epoll/epoll@base echo_msgs_per_s", "epoll/epoll@base accepts_per_s", "epoll/epoll@base accepts_per_cpu_s", "epoll/c echo_msgs_per_s"],
            ratios.Select(r => $"{r!["a"]}/{r["b"]} {r["metric"]}"));
        foreach (var each in ratios)
        {
            Assert.Equal(2, each!["rounds"]!.GetValue<int>());
            Assert.Equal(2, each["ci95"]!.AsArray().Count);
        }
        var ratio = ratios.Single(r => r!["a"]!.GetValue<string>() == "epoll" && r["b"]!.GetValue<string>() == "c");
        Assert.Equal("echo_msgs_per_s", ratio!["metric"]!.GetValue<string>());
        Assert.Equal(2, ratio["rounds"]!.GetValue<int>());
        var perRound = ratio["per_round"]!.AsArray().Select(r => r!.GetValue<double>()).ToArray();
        double low = ratio["ci95"]![0]!.GetValue<double>(), high = ratio["ci95"]![1]!.GetValue<double>(), value = ratio["ratio"]!.GetValue<double>();
        // Two rounds: the bootstrap's resamples are each round's ratio or both, so the interval runs from the smaller to the larger.
        Assert.Equal(perRound.Min(), low, 3);
        Assert.Equal(perRound.Max(), high, 3);
        Assert.InRange(value, low, high);

        // The console and table.txt carry the same ratio with its interval and its reading.
        Assert.Matches(@"(?m)^epoll/c echo_msgs_per_s\s+[\d.]+\s+\[[\d.]+, [\d.]+\]\s+2\s+(no difference|a higher|a lower)", run.Stdout);
        Assert.Contains("epoll/c echo_msgs_per_s", File.ReadAllText(Path.Combine(latest, "table.txt")));

        // The neighbours table: the threads engine first in each round, every probe answered, each engine's p99 against threads'.
        var neighbours = summary["neighbours"]!;
        var neighbourRows = neighbours["rows"]!.AsArray();
        Assert.Equal(["threads 1", "epoll@base 1", "epoll 1", "threads 2", "epoll@base 2", "epoll 2"],
            neighbourRows.Select(r => $"{r!["subject"]} {r["round"]}"));
        foreach (var row in neighbourRows)
        {
            Assert.True(row!["status"]!.GetValue<string>() == "ok", $"{row.ToJsonString()}\n{run}");
            Assert.Equal(0, row["probes_failed"]!.GetValue<long>());
            Assert.InRange(row["probe_p50_us"]!.GetValue<double>(), 1, row["probe_p99_us"]!.GetValue<double>());
            Assert.True(row["mean_flood_bytes_per_s"]!.GetValue<double>() > 0, row.ToJsonString());
        }
        var vsThreads = neighbours["ratios"]!.AsArray().Single(r => r!["a"]!.GetValue<string>() == "epoll");
        Assert.Equal("probe_p99_us", vsThreads!["metric"]!.GetValue<string>());
        Assert.Equal(2, vsThreads["ci95"]!.AsArray().Count);
        Assert.Matches(@"(?m)^epoll\s+2\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+x \[", run.Stdout);
    }

    [Theory]
    [InlineData("--rounds", "0")]
    [InlineData("--references", "java")]
    [InlineData("--engines", "fibers")]
    [InlineData("--server-cpus", "one")]
    [InlineData("--connections", "50000")]
    public void Bad_input_is_one_line_and_exit_2(string option, string value)
    {
        var run = RunnerProcess.Run(TimeSpan.FromMinutes(1), "bench", option, value);
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("shootout-runner bench: ", run.Stderr);
        Assert.Single(run.Stderr.Trim().Split('\n'));
        Assert.Contains(option, run.Stderr);
    }
}
