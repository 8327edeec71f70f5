using System.Net.Sockets;

namespace Shootout.Server.Tests;

/// <summary>
/// What the host gives every engine: metrics, limits, the metrics endpoint's switch. Clean shutdown (SIGTERM with
/// connections open) is checked under load in <see cref="ReliabilityTests"/>.
/// </summary>
public sealed class HostTests
{
    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void Metrics_report_connections_bytes_memory_cpu_and_threads(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var client = new EchoClient(server.EndPoint);
        client.Echo(new byte[1000]);
        client.Echo(new byte[24]);
        Wait.Until(() => MetricsScrape.From(server).Value("shootout_server_bytes_echoed_total", ("engine", engine)) >= 1024, TimeSpan.FromSeconds(20), "1024 echoed bytes counted");

        var m = MetricsScrape.From(server);
        (string, string) e = ("engine", engine);
        Assert.Equal(1, m.Value("shootout_server_connections", e));
        Assert.Equal(1, m.Value("shootout_server_connections_accepted_total", e));
        Assert.Equal(0, m.Value("shootout_server_connections_rejected_total", e, ("reason", "limit")));
        Assert.Equal(0, m.Value("shootout_server_connections_rejected_total", e, ("reason", "fd_limit")));
        Assert.Equal(1024, m.Value("shootout_server_bytes_echoed_total", e));
        double rss = m.Value("shootout_server_resident_memory_bytes", e), baseline = m.Value("shootout_server_baseline_memory_bytes", e);
        Assert.InRange(baseline, 1e6, 1e9);
        Assert.InRange(rss, 1e6, 1e9);
        Assert.True(m.Value("shootout_server_cpu_seconds_total", e, ("mode", "user")) > 0, "user CPU time is counted");
        Assert.True(m.Value("shootout_server_cpu_seconds_total", e, ("mode", "system")) >= 0);
        Assert.InRange(m.Value("shootout_server_threads", e), 1, 500);
        Assert.True(m.Value("shootout_server_gc_heap_bytes", e) > 0);
        // The scrape must stay O(1): none of prometheus-net's default process metrics (they list /proc/self/fd).
        Assert.DoesNotContain("process_open_handles", m.Text);
        Assert.DoesNotContain("process_num_threads", m.Text);
    }

    /// <summary>
    /// A client connecting to the metrics port while the server starts (a scraper, a test polling it) must not
    /// crash it. On Linux, .NET's HttpListener throws from Start() when a connection already waits at its first
    /// accept (dotnet/corefx#35191): beside a client connecting in a loop the server died on every start
    /// (20 of 20) until the host retried the start with a fresh listener (HttpListenerStart).
    /// </summary>
    [Fact]
    public void The_server_starts_while_a_client_keeps_connecting_to_its_metrics_port()
    {
        int metricsPort = Ports.Free();
        using var connecting = new CancellationTokenSource();
        var client = new Thread(() => ConnectUntil(metricsPort, connecting.Token)) { IsBackground = true, Name = "connecting client" };
        client.Start();
        try
        {
            using var server = ServerProcess.Start("epoll", "--metrics-port", metricsPort.ToString());
            Wait.Until(() => MetricsScrape.TryFrom(metricsPort) is not null, TimeSpan.FromSeconds(20), "the metrics endpoint to answer");
            Assert.Equal(0, MetricsScrape.From(metricsPort).Value("shootout_server_connections"));
            Assert.False(server.HasExited, server.Stderr);
        }
        finally
        {
            connecting.Cancel();
            client.Join();
        }
    }

    private static void ConnectUntil(int port, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Connect(System.Net.IPAddress.Loopback, port);
            }
            catch (SocketException)
            {
                // not listening yet
            }
        }
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void Connection_past_the_limit_is_closed_and_counted(string engine)
    {
        using var server = ServerProcess.Start(engine, "--max-connections", "3");
        var admitted = Enumerable.Range(0, 3).Select(_ => new EchoClient(server.EndPoint)).ToList();
        try
        {
            foreach (var c in admitted)
                Assert.Equal("in"u8.ToArray(), c.Echo("in"u8));
            using var extra = new EchoClient(server.EndPoint);
            Assert.True(extra.ClosedByServerAfterSend(), "connection 4 of 3 should be closed at once");
            var m = MetricsScrape.From(server);
            Assert.Equal(1, m.Value("shootout_server_connections_rejected_total", ("reason", "limit")));
            Assert.Equal(3, m.Value("shootout_server_connections"));

            admitted[0].Dispose();
            Wait.Until(() => MetricsScrape.From(server).Value("shootout_server_connections") == 2, TimeSpan.FromSeconds(20), "a slot to free up");
            using var next = new EchoClient(server.EndPoint);
            Assert.Equal("again"u8.ToArray(), next.Echo("again"u8));
        }
        finally
        {
            foreach (var c in admitted)
                c.Dispose();
        }
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void Metrics_port_zero_disables_the_endpoint(string engine)
    {
        using var server = ServerProcess.Start(engine, "--metrics-port", "0");
        using var client = new EchoClient(server.EndPoint);
        Assert.Equal("ok"u8.ToArray(), client.Echo("ok"u8));
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // The port picked for metrics by the fixture was overridden by --metrics-port 0: nothing listens there.
        Assert.Throws<SocketException>(() => probe.Connect("127.0.0.1", server.MetricsPort));
    }
}
