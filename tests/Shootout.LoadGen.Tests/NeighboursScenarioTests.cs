using System.Net.Sockets;
using System.Text.RegularExpressions;
using Shootout.LoadGen.Stats;
using Shootout.Results;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>bin/shootout-server (threads engine) for the neighbours tests of one class, stopped by its PID.</summary>
public sealed class NeighboursServer : IDisposable
{
    private readonly TestProcess? _server;

    public int Port { get; } = Ports.Free();

    public NeighboursServer()
    {
        var exe = Path.Combine(LoadGenProcess.RepoRoot, "bin", "shootout-server");
        if (!File.Exists(exe)) return;
        _server = TestProcess.Start(exe, ["--engine", "threads", "--port", Port.ToString(), "--metrics-port", "0", "--bind", "127.0.0.1"]);
        // The server announces its address on stdout once it listens.
        _server.WaitForLine(new Regex("listening="), TimeSpan.FromSeconds(20), stdoutOnly: true);
    }

    public string Target => $"127.0.0.1:{Port}";

    public void AssertRunning() => Assert.True(_server is { HasExited: false }, "bin/shootout-server is missing or stopped: run `make build` first");

    public void Dispose() => _server?.Dispose();
}

/// <summary>The neighbours scenario against the project's real server: structure and correctness, no latency thresholds.</summary>
public sealed class NeighboursScenarioTests(NeighboursServer server) : IClassFixture<NeighboursServer>
{
    private const int Window = 128 * 1024;

    [Fact]
    public void Every_probe_echo_comes_back_and_every_flood_is_counted_in_summary_and_metrics()
    {
        server.AssertRunning();
        var dir = LoadGenProcess.NewReportDir();
        int metricsPort = Ports.Free();
        string seen = "";
        int[] childNice = [];
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(90), p =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            Wait.Until(() =>
            {
                try { seen = http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics").Result; }
                catch (AggregateException) { return false; }
                return seen.Contains($"shootout_loadgen_neighbours_flood_bytes_total{{target=\"{server.Target}\",flood=\"1\"}}")
                       && seen.Contains("shootout_loadgen_neighbours_probe_latency_seconds_bucket");
            }, TimeSpan.FromSeconds(45), "the neighbours' metrics: flood 1's bytes and the probes' latency histogram");
            // A child is listed under the thread that started it.
            childNice = NiceOfEveryThread(Directory.GetDirectories($"/proc/{p.Pid}/task")
                .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse).Single());
        }, "neighbours", "--target", server.Target, "--floods", "2", "--message-size", "32KiB", "--window", Window.ToString(),
            "--never-reading", "1", "--probes", "5", "--probe-interval", "20ms", "--warmup", "500ms", "--duration", "3s",
            "--metrics-port", metricsPort.ToString(), "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var s = r.Summary;
        Assert.Equal("neighbours", (string)s["scenario"]!);
        Assert.Equal("ok", (string)s["status"]!);
        // One process per role: the neighbours ran in a child of the coordinator.
        Assert.Equal("separate_processes", (string)s["layout"]!);
        Assert.True((int?)s["neighbours_pid"] is > 0);
        // ... at nice 10 by default, every one of its threads, so the floods' clients yield the cores to the server.
        Assert.Equal(10, (int)s["neighbours_nice"]!);
        Assert.NotEmpty(childNice);
        Assert.All(childNice, n => Assert.Equal(10, n));
        // The probes' process asks for nice -5, which only root may have; otherwise it says it stayed at 0.
        Assert.Equal(Environment.IsPrivilegedProcess ? -5 : 0, (int)s["probes_nice"]!);

        var probes = s["probes"]!;
        long scheduled = (long)probes["scheduled"]!;
        // 5 probes every 20 ms for ~3 s: the pacer schedules about 750; every one is answered and recorded.
        Assert.InRange(scheduled, 300, 1000);
        Assert.Equal(scheduled, (long)probes["ok"]!);
        Assert.Equal(0, (long)probes["failed"]!);
        Assert.Equal(scheduled, (long)probes["latency_us"]!["count"]!);
        Assert.Equal(scheduled, (long)probes["service_us"]!["count"]!);
        var latency = probes["latency_us"]!;
        Assert.True((long)latency["p50"]! > 0 && (long)latency["p50"]! <= (long)latency["p99"]! && (long)latency["p99"]! <= (long)latency["max"]!);

        var floods = s["floods"]!;
        var perFlood = floods["per_flood"]!.AsArray();
        Assert.Equal(2, perFlood.Count);
        foreach (var f in perFlood)
        {
            long sent = (long)f!["sent_total"]!, received = (long)f["received_total"]!, bytes = (long)f["bytes"]!;
            Assert.Null((string?)f["error"]);
            Assert.True(bytes > 0 && bytes <= received, $"flood {f["index"]}: {bytes} B in the window of {received} echoed");
            // Every echoed byte was checked against what was sent; what is still in flight is at most the window.
            Assert.InRange(sent - received, 0, Window);
        }
        double mean = (double)floods["mean_bytes_per_s"]!, min = (double)floods["min_bytes_per_s"]!, max = (double)floods["max_bytes_per_s"]!;
        Assert.True(min > 0 && min <= mean && mean <= max);
        Assert.Equal(perFlood.Average(f => (double)f!["bytes_per_s"]!), mean, 0.01 * mean);
        Assert.InRange((double)floods["jain_index"]!, 0.5, 1.0);

        var never = s["never_reading"]!["per_connection"]!.AsArray();
        Assert.True((long)Assert.Single(never)!["bytes_written"]! > 0);

        Assert.NotEmpty(s["timeline"]!.AsArray());

        // The runner's fairness phase and make bench read this file through the typed model: each figure they take is there by that name.
        var typed = NeighboursSummary.Load(Path.Combine(dir, "summary.json"));
        Assert.Equal(("ok", "separate_processes"), (typed.Status, typed.Layout));
        Assert.Equal((scheduled, 0L), (typed.Probes.Scheduled, typed.Probes.Failed));
        Assert.Equal(((double)latency["p50"]!, (double)latency["p99"]!, (double)latency["max"]!),
            (typed.Probes.LatencyUs.P50, typed.Probes.LatencyUs.P99, typed.Probes.LatencyUs.Max));
        Assert.Equal((mean, (double?)floods["slowest_over_mean"], (double?)floods["jain_index"]),
            (typed.Floods.MeanBytesPerS, typed.Floods.SlowestOverMean, typed.Floods.JainIndex));
        Assert.Equal(perFlood.Select(f => (long)f!["bytes"]!), typed.Floods.PerFlood.Select(f => f.Bytes));
        Assert.Equal((long)never[0]!["bytes_written"]!, typed.NeverReading.BytesWritten);
        Assert.Contains("## Floods", File.ReadAllText(Path.Combine(dir, "report.md")));
        Assert.Contains("data-chart=\"per-flood-throughput\"", File.ReadAllText(Path.Combine(dir, "report.html")));
        Assert.Contains($"shootout_loadgen_neighbours_never_reading_bytes{{target=\"{server.Target}\"}}", seen);
    }

    [Fact]
    public void A_config_file_runs_it_with_the_neighbours_in_process_on_their_own_loops()
    {
        server.AssertRunning();
        var dir = LoadGenProcess.NewReportDir();
        var config = Path.Combine(dir, "neighbours.json");
        File.WriteAllText(config, $$"""
            { "scenario": "neighbours", "target": "{{server.Target}}", "floods": 1, "message_size": "16KiB", "window": 32768,
              "probes": 2, "probe_interval": "25ms", "warmup": "200ms", "duration": "2s", "in_process": true }
            """);
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "neighbours", "--config", config, "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var s = r.Summary;
        Assert.Equal("separate_loops", (string)s["layout"]!);
        Assert.Null(s["neighbours_pid"]);
        Assert.Equal(32768, (int)s["floods"]!["window"]!);
        Assert.Equal((long)s["probes"]!["scheduled"]!, (long)s["probes"]!["ok"]!);
        // One flood has the whole share: the index is exactly 1.
        Assert.Equal(1.0, (double)s["floods"]!["jain_index"]!);
    }

    [Fact]
    public void A_probe_that_gets_no_echo_fails_the_run_and_counts_in_the_latency_with_the_time_it_waited()
    {
        // A server that accepts (the kernel's backlog does) and never answers.
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(16);
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "neighbours", "--target", $"127.0.0.1:{port}", "--floods", "0",
            "--probes", "2", "--probe-interval", "100ms", "--warmup", "0s", "--duration", "1s", "--message-timeout", "500ms", "--report-dir", dir);

        Assert.Equal(1, r.ExitCode);
        var probes = r.Summary["probes"]!;
        long scheduled = (long)probes["scheduled"]!;
        Assert.True(scheduled > 0);
        Assert.Equal(0, (long)probes["ok"]!);
        Assert.Equal(scheduled, (long)probes["failed"]!);
        // Every scheduled message is in the histogram; the first waited at least the whole measured second.
        Assert.Equal(scheduled, (long)probes["latency_us"]!["count"]!);
        Assert.True((long)probes["latency_us"]!["max"]! >= 1_000_000, probes.ToJsonString());
        Assert.Equal(scheduled, (long)r.Summary["errors"]!["probe_unanswered"]!);
        Assert.Contains("probe messages failed", r.Stderr);
    }

    /// <summary>The nice value of each thread of a process.</summary>
    private static int[] NiceOfEveryThread(int pid) =>
        Directory.GetDirectories($"/proc/{pid}/task").Select(t => (int)ProcStat.Read(Path.Combine(t, "stat"))[ProcStat.Nice]).ToArray();

    [Theory]
    [InlineData("--neighbours-nice", "20", "--neighbours-nice")]
    [InlineData("--probes-nice", "1", "--probes-nice")]
    [InlineData("--floods", "-1", "--floods")]
    [InlineData("--floods", "many", "--floods")]
    [InlineData("--probes", "0", "--probes")]
    [InlineData("--message-size", "big", "--message-size")]
    [InlineData("--window", "1KiB", "--window")]
    [InlineData("--probe-interval", "0s", "--probe-interval")]
    [InlineData("--duration", "soon", "--duration")]
    [InlineData("--target", "127.0.0.1", "--target")]
    public void Bad_options_exit_2_naming_the_option(string option, string value, string named)
    {
        var dir = LoadGenProcess.NewReportDir();
        var args = new List<string> { "neighbours", "--report-dir", dir, option, value };
        if (option != "--target") args.AddRange(["--target", "127.0.0.1:9"]);
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(30), null, args.ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains(named, Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void A_config_field_it_does_not_know_exits_2_naming_the_field()
    {
        var dir = LoadGenProcess.NewReportDir();
        var config = Path.Combine(dir, "bad.json");
        File.WriteAllText(config, """{ "target": "127.0.0.1:9", "flods": 2 }""");
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(30), null, "neighbours", "--config", config, "--report-dir", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("'flods'", r.Stderr);
    }

    [Fact]
    public void No_server_exits_1_saying_so_and_still_writes_the_summary()
    {
        var dir = LoadGenProcess.NewReportDir();
        int port = Ports.Free();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(30), null, "neighbours", "--target", $"127.0.0.1:{port}", "--report-dir", dir);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("connection refused", r.Stderr);
        Assert.Equal("failed", (string)r.Summary["status"]!);
    }

    [Theory]
    [InlineData(new double[] { 5, 5, 5, 5 }, 1.0)]
    [InlineData(new double[] { 8, 0, 0, 0 }, 0.25)]
    [InlineData(new double[] { 3, 1 }, 0.8)]
    public void Jains_index_is_one_for_equal_shares_and_one_over_n_for_one_taker(double[] shares, double expected) =>
        Assert.Equal(expected, Fairness.Jain(shares)!.Value, 9);

    [Fact]
    public void Jains_index_is_undefined_without_any_throughput() => Assert.Null(Fairness.Jain([0.0, 0.0]));
}
