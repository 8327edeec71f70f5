using System.Diagnostics;
using System.Net.Sockets;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>The load generator against the project's own server (bin/shootout-server from `make build`).</summary>
public sealed class RealServerTests : IDisposable
{
    private readonly Process? _server;
    private readonly int _port = EchoScenarioTests.FreePort();

    public RealServerTests()
    {
        var exe = Path.Combine(LoadGenProcess.RepoRoot, "bin", "shootout-server");
        if (!File.Exists(exe)) return;
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--engine", "threads", "--port", _port.ToString(), "--metrics-port", "0", "--bind", "127.0.0.1" })
            psi.ArgumentList.Add(a);
        _server = Process.Start(psi)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        EchoScenarioTests.WaitFor(() =>
        {
            if (_server.HasExited) throw new InvalidOperationException("shootout-server exited with " + _server.ExitCode);
            try { using var c = new TcpClient("127.0.0.1", _port); return true; }
            catch (SocketException) { return false; }
        }, TimeSpan.FromSeconds(20));
    }

    [Fact]
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
        int metricsPort = EchoScenarioTests.FreePort();
        string? seen = null;
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), _ =>
        {
            // What a runner reads to know the ramp is over: every attempt counted when started and, by result, when ended.
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            EchoScenarioTests.WaitFor(() =>
            {
                try { seen = http.GetStringAsync($"http://127.0.0.1:{metricsPort}/metrics").Result; }
                catch (AggregateException) { return false; }
                return seen.Contains("shootout_loadgen_connects_total{target=\"127.0.0.1:" + _port + "\",result=\"established\"} 300");
            }, TimeSpan.FromSeconds(20));
        }, "hold", "--target", $"127.0.0.1:{_port}", "--connections", "300", "--connect-rate", "3000", "--duration", "4s",
            "--metrics-port", metricsPort.ToString(), "--report-dir", dir);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("result=\"failed\"} 0", seen);
        // Started as many as ended: nothing left connecting.
        Assert.Contains("shootout_loadgen_connect_attempts_total{target=\"127.0.0.1:" + _port + "\"} 300", seen);
    }

    public void Dispose()
    {
        if (_server is { HasExited: false }) _server.Kill();
        _server?.WaitForExit(5000);
        _server?.Dispose();
    }
}
