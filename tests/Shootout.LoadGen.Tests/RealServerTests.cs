using System.Text.RegularExpressions;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>The load generator against the project's own server (bin/shootout-server from `make build`).</summary>
public sealed class RealServerTests : IDisposable
{
    private readonly TestProcess? _server;
    private readonly int _port = Ports.Free();

    public RealServerTests()
    {
        var exe = Path.Combine(LoadGenProcess.RepoRoot, "bin", "shootout-server");
        if (!File.Exists(exe)) return;
        _server = TestProcess.Start(exe, ["--engine", "threads", "--port", _port.ToString(), "--metrics-port", "0", "--bind", "127.0.0.1"]);
        // The server announces its address on stdout once it listens.
        _server.WaitForLine(new Regex("listening="), TimeSpan.FromSeconds(20), stdoutOnly: true);
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public void Echo_against_the_threads_engine_is_clean()
    {
        Assert.True(_server is not null, "bin/shootout-server is missing: run `make build` first");
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "echo", "--target", $"127.0.0.1:{_port}",
            "--connections", "20", "--rate", "1000", "--duration", "2s", "--message-size", "64", "--report-dir", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(0, (long)r.Summary["messages"]!["failed"]!);
        Assert.InRange((double)r.Summary["rate"]!["achieved"]!, 900, 1100);
    }

    [Fact]
    public void Hold_counts_every_connection_attempt_in_its_metrics()
    {
        Assert.True(_server is not null, "bin/shootout-server is missing: run `make build` first");
        var dir = LoadGenProcess.NewReportDir();
        int metricsPort = Ports.Free();
        string? seen = null;
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), _ =>
        {
            // What a runner reads to know the ramp is over: every attempt counted when started and, by result, when ended.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            Wait.Until(() =>
            {
                try { seen = http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics").Result; }
                catch (AggregateException) { return false; }
                return seen.Contains("shootout_loadgen_connects_total{target=\"127.0.0.1:" + _port + "\",result=\"established\"} 300");
            }, TimeSpan.FromSeconds(20), "the load generator's /metrics to count 300 established connections");
        }, "hold", "--target", $"127.0.0.1:{_port}", "--connections", "300", "--connect-rate", "3000", "--duration", "4s",
            "--metrics-port", metricsPort.ToString(), "--report-dir", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("result=\"failed\"} 0", seen);
        // Started as many as ended: nothing left connecting.
        Assert.Contains("shootout_loadgen_connect_attempts_total{target=\"127.0.0.1:" + _port + "\"} 300", seen);
    }

    public void Dispose() => _server?.Dispose();
}
