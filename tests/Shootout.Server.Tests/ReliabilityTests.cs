using System.Diagnostics;
using System.Net.Sockets;

namespace Shootout.Server.Tests;

/// <summary>
/// Fault injection, the same checks on every engine: descriptor storms, clients that never read,
/// reset storms, half-close, slow drips and idle clients, and SIGTERM under load.
/// `make faults` runs just these and prints a table of checks × engines.
/// </summary>
[Trait("Category", "Faults")]
public sealed class ReliabilityTests
{
    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [Trait("Category", "WallClock")]
    public void Fd_storm_past_the_limit_backs_off_counts_and_recovers(string engine)
    {
        using var server = ServerProcess.Start(engine, fileLimit: 256);
        var storm = new List<EchoClient>();
        try
        {
            // Connects complete in the kernel's backlog whether or not the server can accept them.
            for (int i = 0; i < 400; i++)
                storm.Add(new EchoClient(server.EndPoint));
            // Out of descriptors, the server cannot accept even a scrape: its log says what happened.
            Wait.Until(() => server.Stderr.Contains("out of file descriptors"), TimeSpan.FromSeconds(30), "the server to report running out of descriptors");

            // Backing off, not spinning: well under a core while the storm is held. The sleep is the
            // measuring window of the CPU share, not a wait for anything.
            double cpuBefore = server.CpuSeconds();
            var watch = Stopwatch.StartNew();
            Thread.Sleep(2000);
            double cpuShare = (server.CpuSeconds() - cpuBefore) / watch.Elapsed.TotalSeconds;
            Assert.True(cpuShare < 0.5, $"server used {cpuShare:P0} of a core while out of descriptors");
            Assert.False(server.HasExited);

            foreach (var c in storm)
                c.Dispose();
            storm.Clear();
            Wait.Until(() => MetricsScrape.TryFrom(server)?.Value("shootout_server_connections") == 0, TimeSpan.FromSeconds(30), "the storm's connections to close");
            Assert.True(MetricsScrape.From(server).Value("shootout_server_connections_rejected_total", ("reason", "fd_limit")) > 0, "fd_limit is counted");

            // Descriptors are free again: new clients are served.
            using var client = new EchoClient(server.EndPoint);
            Assert.Equal("after the storm"u8.ToArray(), client.Echo("after the storm"u8));
        }
        finally
        {
            foreach (var c in storm)
                c.Dispose();
        }
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [MemberData(nameof(Engines.UringFeaturesOff), MemberType = typeof(Engines))]
    public void A_client_that_never_reads_is_not_read_from_and_memory_stays_flat(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var warm = new EchoClient(server.EndPoint);
        warm.Echo(new byte[64 * 1024]);
        long before = server.ResidentBytes();

        using var hog = new EchoClient(server.EndPoint);
        hog.Socket.SendTimeout = 0;
        hog.Socket.Blocking = false;
        var chunk = new byte[64 * 1024];
        long offered = 0;
        var idleSince = Stopwatch.StartNew();
        // Send until the connection stays full for a second: the server has stopped reading.
        while (idleSince.Elapsed < TimeSpan.FromSeconds(1) && offered < 64L * 1024 * 1024)
        {
            try
            {
                int n = hog.Socket.Send(chunk);
                offered += n;
                if (n > 0)
                    idleSince.Restart();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
            {
                Thread.Sleep(10);
            }
        }
        Assert.True(offered < 64L * 1024 * 1024, "the server kept reading from a client that never reads");
        long growth = server.ResidentBytes() - before;
        Assert.True(growth < 8 * 1024 * 1024, $"server RSS grew {growth / 1024} KiB for one client that does not read");

        // Nothing was lost: the client reads, and every byte it sent comes back in order.
        hog.Socket.Blocking = true;
        var echoed = hog.Receive((int)offered);
        Assert.All(echoed, b => Assert.Equal(0, b));
        Assert.Equal("still echoing"u8.ToArray(), hog.Echo("still echoing"u8));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task A_storm_of_resets_ends_those_connections_only(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var survivor = new EchoClient(server.EndPoint);
        Assert.Equal("before"u8.ToArray(), survivor.Echo("before"u8));
        var storm = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                var c = new EchoClient(server.EndPoint);
                c.Send(new byte[64 * 1024]); // unread echo pending when the reset arrives
                c.Socket.LingerState = new LingerOption(true, 0);
                c.Dispose(); // RST, with echo still in flight
            }
        }));
        await Task.WhenAll(storm).WaitAsync(TimeSpan.FromSeconds(60));
        Wait.Until(() => MetricsScrape.From(server).Value("shootout_server_connections") == 1, TimeSpan.FromSeconds(30), "the reset connections to close");
        Assert.Equal("survived"u8.ToArray(), survivor.Echo("survived"u8));
        // and the server still takes new connections
        using var fresh = new EchoClient(server.EndPoint);
        Assert.Equal("fresh"u8.ToArray(), fresh.Echo("fresh"u8));
        Assert.False(server.HasExited);
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [MemberData(nameof(Engines.UringFeaturesOff), MemberType = typeof(Engines))]
    public async Task Half_close_with_a_megabyte_in_flight_returns_it_all(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var client = new EchoClient(server.EndPoint);
        var payload = new byte[1024 * 1024];
        new Random(7).NextBytes(payload);
        var receiver = Task.Run(() => client.Receive(payload.Length));
        client.Send(payload);
        client.Socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(payload, await receiver.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(client.ReadsEndOfStream(), "the server should close once it has echoed everything");
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [Trait("Category", "WallClock")]
    public void Idle_timeout_closes_silent_connections_and_counts_them(string engine)
    {
        // 3 s against a message every 200 ms: the chatty connection stays safe even if a loaded machine
        // (this suite runs beside others) stalls the server for a second or two.
        using var server = ServerProcess.Start(engine, "--idle-timeout", "3s");
        using var silent = new EchoClient(server.EndPoint);
        using var chatty = new EchoClient(server.EndPoint);
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(4))
        {
            Assert.Equal("tick"u8.ToArray(), chatty.Echo("tick"u8)); // active: never idle for 3 s
            Thread.Sleep(200);
        }
        Assert.True(silent.ClosedByServer(), "the silent connection is closed by the server");
        Wait.Until(() => MetricsScrape.From(server).Value("shootout_server_connections_rejected_total", ("reason", "idle_timeout")) == 1,
            TimeSpan.FromSeconds(10), "one idle_timeout close");
        Assert.Equal("alive"u8.ToArray(), chatty.Echo("alive"u8));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [Trait("Category", "WallClock")]
    public void Min_data_rate_closes_a_slow_drip_but_not_a_steady_client(string engine)
    {
        using var server = ServerProcess.Start(engine, "--min-data-rate", "100");
        using var drip = new EchoClient(server.EndPoint);
        using var steady = new EchoClient(server.EndPoint);
        bool dripClosed = false;
        var watch = Stopwatch.StartNew();
        // The window is 5 s: a byte every 250 ms is 4 B/s against a minimum of 100 B/s.
        while (!dripClosed && watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            dripClosed = !TryEcho(drip, "."u8);
            Assert.Equal(new byte[200], steady.Echo(new byte[200])); // ~800 B/s: well above the minimum
            Thread.Sleep(250);
        }
        Assert.True(dripClosed, "the slow drip was not closed within 20 s");
        Assert.Equal(1, MetricsScrape.From(server).Value("shootout_server_connections_rejected_total", ("reason", "min_data_rate")));
        Assert.Equal("steady"u8.ToArray(), steady.Echo("steady"u8));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [Trait("Category", "WallClock")]
    public async Task Sigterm_under_load_exits_zero_within_five_seconds(string engine)
    {
        const int idle = 3000;
        using var server = ServerProcess.Start(engine);
        var clients = new List<EchoClient>();
        using var stopLoad = new CancellationTokenSource();
        try
        {
            for (int i = 0; i < idle; i++)
                clients.Add(new EchoClient(server.EndPoint));
            var load = Enumerable.Range(0, 8).Select(i => Task.Run(() =>
            {
                using var c = new EchoClient(server.EndPoint);
                try
                {
                    while (!stopLoad.IsCancellationRequested)
                        c.Echo(new byte[4096]);
                }
                catch (Exception e) when (e is SocketException or IOException)
                {
                    // the server closed it on SIGTERM: expected
                }
            })).ToList();
            Wait.Until(() => MetricsScrape.From(server).Value("shootout_server_connections") >= idle + 8, TimeSpan.FromSeconds(60), "all connections open");

            var (exitCode, elapsed) = server.Terminate(TimeSpan.FromSeconds(15));
            Assert.Equal(0, exitCode);
            Assert.True(elapsed < TimeSpan.FromSeconds(5), $"exit took {elapsed.TotalSeconds:0.0}s");
            Assert.True(clients[0].ClosedByServerAfterSend(), "open connections are closed by the server on stop");
            stopLoad.Cancel();
            await Task.WhenAll(load).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            stopLoad.Cancel();
            foreach (var c in clients)
                c.Dispose();
        }
    }

    private static bool TryEcho(EchoClient client, ReadOnlySpan<byte> data)
    {
        try
        {
            return client.Echo(data).AsSpan().SequenceEqual(data);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return false;
        }
    }
}
