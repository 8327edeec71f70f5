using System.Security.Cryptography;
using System.Text;

namespace Shootout.Server.Tests;

/// <summary>
/// The echo contract, the same for every engine. Its edges under stress (half-close with data in flight,
/// resets with echo pending) are checked in <see cref="ReliabilityTests"/>, where `make faults` tabulates them.
/// </summary>
public sealed class EchoTests
{
    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void Small_text_payload_comes_back_unchanged(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var client = new EchoClient(server.EndPoint);
        var hello = Encoding.ASCII.GetBytes("hello, shootout\n");
        Assert.Equal(hello, client.Echo(hello));
        Assert.Equal(hello, client.Echo(hello)); // the connection stays open for more
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void Binary_payload_with_every_byte_value_comes_back_unchanged(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var client = new EchoClient(server.EndPoint);
        var payload = Enumerable.Range(0, 256 * 40).Select(i => (byte)(i * 7 + i / 256)).ToArray();
        Assert.Equal(payload, client.Echo(payload));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [MemberData(nameof(Engines.UringFeaturesOff), MemberType = typeof(Engines))]
    public void One_byte_fragments_are_echoed_in_order(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var client = new EchoClient(server.EndPoint);
        var payload = Enumerable.Range(0, 500).Select(i => (byte)i).ToArray();
        foreach (byte b in payload)
            client.Send([b]);
        Assert.Equal(payload, client.Receive(payload.Length));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [MemberData(nameof(Engines.UringFeaturesOff), MemberType = typeof(Engines))]
    public async Task Eight_MiB_full_duplex_keeps_every_byte_in_order(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var client = new EchoClient(server.EndPoint);
        var payload = new byte[8 * 1024 * 1024];
        new Random(42).NextBytes(payload);

        // Sending and receiving at once: a server that buffers nothing and reads only after writing
        // would deadlock a sequential client, so this also proves the echo keeps flowing.
        var sender = Task.Run(() => { client.Send(payload); });
        var receiver = Task.Run(() => client.Receive(payload.Length));
        var echoed = await receiver.WaitAsync(TimeSpan.FromSeconds(60));
        await sender.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(echoed));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task Two_hundred_concurrent_clients_each_get_their_own_bytes(string engine)
    {
        using var server = ServerProcess.Start(engine);
        var clients = Enumerable.Range(0, 200).Select(i => Task.Run(() =>
        {
            using var client = new EchoClient(server.EndPoint);
            for (int round = 0; round < 5; round++)
            {
                var message = Encoding.ASCII.GetBytes($"client {i} round {round};");
                Assert.Equal(message, client.Echo(message));
            }
        }));
        await Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    [MemberData(nameof(Engines.UringFeaturesOff), MemberType = typeof(Engines))]
    public void A_burst_of_connections_that_all_send_at_once_is_echoed_in_full(string engine)
    {
        // More connections with data at the same moment than a loop has receive buffers (uring lends 256 per
        // loop): those that find none must wait for the ones given back, and the loop must go on turning.
        // The server is paused meanwhile, so on resuming it finds them all queued, each with its byte.
        const int burst = 3000; // within the listen backlog (4096), so the kernel completes every handshake alone
        using var server = ServerProcess.Start(engine);
        using (var warm = new EchoClient(server.EndPoint))
            Assert.Equal("awake"u8.ToArray(), warm.Echo("awake"u8)); // up and serving, then paused
        server.Pause();
        var clients = new List<EchoClient>();
        try
        {
            for (int i = 0; i < burst; i++)
                clients.Add(new EchoClient(server.EndPoint));
            foreach (var client in clients)
                client.Send("b"u8);
            server.Resume();
            for (int i = 0; i < burst; i++)
                Assert.True("b"u8.SequenceEqual(clients[i].Receive(1)), $"connection {i} of {burst} got no echo");
        }
        finally
        {
            foreach (var c in clients)
                c.Dispose();
        }
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void A_new_client_is_served_while_many_idle_connections_are_open(string engine)
    {
        const int idle = 2000;
        using var server = ServerProcess.Start(engine);
        var idlers = new List<EchoClient>();
        try
        {
            for (int i = 0; i < idle; i++)
                idlers.Add(new EchoClient(server.EndPoint));
            Wait.Until(() => MetricsScrape.From(server).Value("shootout_server_connections") == idle, TimeSpan.FromSeconds(60), $"{idle} open connections");

            using var client = new EchoClient(server.EndPoint);
            Assert.Equal("still here"u8.ToArray(), client.Echo("still here"u8));
            // and the idle ones are alive, not just counted
            Assert.Equal("idle 0"u8.ToArray(), idlers[0].Echo("idle 0"u8));
            Assert.Equal("idle n"u8.ToArray(), idlers[^1].Echo("idle n"u8));
        }
        finally
        {
            foreach (var c in idlers)
                c.Dispose();
        }
    }
}
