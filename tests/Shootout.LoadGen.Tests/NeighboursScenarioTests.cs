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

/// <summary>
/// The neighbours command against the project's real server: a run of three scenarios (probes, floods, never-reading)
/// on the scenario engine, the neighbours in child processes of their own at nice 10. Structure and correctness, no
/// latency thresholds.
/// </summary>
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
        int[][] childNice = [];
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(90), p =>
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            Wait.Until(() =>
            {
                try { seen = http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics").Result; }
                catch (AggregateException) { return false; }
                return seen.Contains("shootout_loadgen_scenario_latency_seconds_bucket{target=\"" + server.Target + "\",scenario=\"probes\"")
                       && seen.Contains("shootout_loadgen_scenario_messages_total{target=\"" + server.Target + "\",scenario=\"floods\",result=\"ok\"}");
            }, TimeSpan.FromSeconds(45), "the scenarios' metrics: the probes' latency histogram and the floods' messages");
            // A child is listed under the thread that started it.
            childNice = Directory.GetDirectories($"/proc/{p.Pid}/task")
                .SelectMany(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Select(int.Parse).Select(NiceOfEveryThread).ToArray();
        }, "neighbours", "--target", server.Target, "--floods", "2", "--message-size", "32KiB", "--window", Window.ToString(),
            "--never-reading", "1", "--probes", "5", "--probe-interval", "20ms", "--warmup", "500ms", "--duration", "3s",
            "--metrics-port", metricsPort.ToString(), "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var run = LoadGenResult.Load(Path.Combine(dir, "summary.json"));
        Assert.Equal("ok", run.Status);
        Assert.Equal(["probes", "floods", "never-reading"], run.Scenarios.Select(x => x.Name));
        Assert.Equal(["probe", "flood", "never-reading"], run.Scenarios.Select(x => x.Kind));
        // The floods and the never-reading client each in a child process of their own, every thread at nice 10,
        // so the neighbours' clients yield the cores to the server and to the probes.
        Assert.Equal(2, childNice.Length);
        Assert.All(childNice, threads => Assert.All(Assert.IsType<int[]>(threads), n => Assert.Equal(10, n)));

        var probes = run.ScenarioNamed("probes")!;
        long scheduled = probes.Messages.Ok + probes.Messages.Failed;
        // 5 probes every 20 ms for 3 s after a 500 ms pause: about 750; every one is answered and recorded.
        Assert.InRange(scheduled, 300, 1000);
        Assert.Equal(0, probes.Messages.Failed);
        // The service time (the write to the echo's first byte) of every one, beside its latency from the scheduled send.
        Assert.Equal(scheduled, probes.FirstByteLatencyUs.Count);
        var latency = probes.LatencyUs;
        Assert.True(latency.P50 > 0 && latency.P50 <= latency.P99 && latency.P99 <= latency.Max, $"{latency}");

        var floods = run.ScenarioNamed("floods")!;
        Assert.Equal(2, floods.Connections.Established);
        Assert.True(floods.Bytes.Received > 0, $"{floods.Bytes}");
        // Every echoed byte was checked against what was sent; what is still in flight is at most a window per flood.
        Assert.InRange(floods.Bytes.Sent - floods.Bytes.Received, 0, 2 * Window);
        Assert.Empty(floods.Errors);
        Assert.Equal(("bytes", 2), (floods.Fairness!.Of, floods.Fairness.Connections));
        Assert.InRange(floods.Fairness.Jain!.Value, 0.5, 1.0);
        Assert.True(run.ScenarioNamed("never-reading")!.Bytes.Sent > 0);

        // The runner's fairness phase and make bench read the figures through the typed model, off the three scenarios.
        var figures = NeighboursFigures.Of(run)!;
        Assert.Equal((scheduled, 0L), (figures.ProbesScheduled, figures.ProbesFailed));
        Assert.Equal(latency, figures.ProbeLatencyUs);
        Assert.Equal(floods.Bytes.Received / floods.DurationS / 2, figures.MeanFloodBytesPerS, 1e-6 * figures.MeanFloodBytesPerS);
        Assert.Equal((floods.Fairness.SlowestOverMean, floods.Fairness.Jain), (figures.SlowestOverMean, figures.Jain));
        var markdown = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("## Scenarios", markdown);
        Assert.All(new[] { "| probes |", "| floods |", "| never-reading |" }, row => Assert.Contains(row, markdown));
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
        int metricsPort = Ports.Free(), children = -1;
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), p =>
        {
            // Once the flood's messages show, every scenario has started.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            Wait.Until(() =>
            {
                try { return http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics").Result.Contains("scenario=\"floods\",result=\"ok\"} "); }
                catch (AggregateException) { return false; }
            }, TimeSpan.FromSeconds(30), "the flood's messages in the metrics");
            children = Directory.GetDirectories($"/proc/{p.Pid}/task")
                .Sum(t => File.ReadAllText(Path.Combine(t, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        }, "neighbours", "--config", config, "--metrics-port", metricsPort.ToString(), "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(0, children);
        var run = LoadGenResult.Load(Path.Combine(dir, "summary.json"));
        Assert.Equal(["probes", "floods"], run.Scenarios.Select(x => x.Name));
        Assert.Equal(0, run.ScenarioNamed("probes")!.Messages.Failed);
        Assert.True(run.ScenarioNamed("probes")!.Messages.Ok > 0);
        // One flood has the whole share: the index is exactly 1.
        Assert.Equal(1.0, NeighboursFigures.Of(run)!.Jain);
    }

    [Fact]
    public void A_probe_that_gets_no_echo_fails_the_run()
    {
        // A server that accepts (the kernel's backlog does) and never answers.
        using var silent = new TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start(16);
        int port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "neighbours", "--target", $"127.0.0.1:{port}", "--floods", "0",
            "--probes", "2", "--probe-interval", "100ms", "--warmup", "0s", "--duration", "1s", "--message-timeout", "500ms", "--report-dir", dir);

        Assert.Equal(1, r.ExitCode);
        var probes = LoadGenResult.Load(Path.Combine(dir, "summary.json")).ScenarioNamed("probes")!;
        Assert.Equal(0, probes.Messages.Ok);
        Assert.True(probes.Messages.Failed > 0, r.Stdout);
        Assert.True(probes.Errors.GetValueOrDefault("timeout") > 0, string.Join(", ", probes.Errors));
        Assert.Contains("timeout", r.Stderr);
    }

    [Fact]
    public async Task A_server_that_closes_a_client_that_never_reads_is_within_its_rights_not_an_error()
    {
        // A server that takes a few bytes from each connection, then resets it (the first is the generator's check
        // that the target answers, which sends nothing; the second the never-reading client).
        using var closer = new TcpListener(System.Net.IPAddress.Loopback, 0);
        closer.Start(16);
        int port = ((System.Net.IPEndPoint)closer.LocalEndpoint).Port;
        var closing = Task.Run(() =>
        {
            for (int i = 0; i < 2; i++)
            {
                using var socket = closer.AcceptSocket();
                socket.Receive(new byte[4096]);
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }
        });
        var dir = LoadGenProcess.NewReportDir();
        var config = Path.Combine(dir, "never-reading.json");
        File.WriteAllText(config, $$"""{ "scenario": "never-reading", "target": "127.0.0.1:{{port}}", "connections": 1, "duration": "1s" }""");
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "run", "--config", config, "--report-dir", dir);

        // The test server accepted, read and reset (a timeout here throws).
        await closing.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var run = LoadGenResult.Load(Path.Combine(dir, "summary.json"));
        Assert.Equal((1L, 1L), (run.Connections.Established, run.Connections.ClosedByServer));
        Assert.Empty(run.Errors);
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
        // The runner still finds the probes scenario, empty, and the run's message beside it.
        Assert.Equal(0, NeighboursFigures.Of(LoadGenResult.Load(Path.Combine(dir, "summary.json")))!.ProbesScheduled);
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
