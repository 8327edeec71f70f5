using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Shootout.Uring.Tests;

/// <summary>
/// The real server with its sends skipping their CQE on success (the default, RingFeatures.SkipSendCompletions) in the
/// cases where a buffer could be given back while the kernel still sends from it, or a fiber could wait for a
/// confirmation that never comes: sends that find no room (a client that stops reading), more connections sending at
/// once than the loop has buffers, an end of stream right behind a message, and a connection that then goes idle.
/// Each asserts the echoed bytes exactly, position by position.
/// </summary>
public sealed partial class SkippedSendCompletionTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_client_that_reads_far_slower_than_it_writes_gets_every_byte_in_order()
    {
        using var server = Server.Start();
        using var client = Connect(server.Port);
        client.ReceiveBufferSize = 16 << 10; // a 64 KiB echo never fits at once: sends take part of their bytes or none
        const int Total = 24 << 20;
        var writer = Task.Run(() =>
        {
            var chunk = new byte[256 << 10];
            for (int at = 0; at < Total; at += chunk.Length)
            {
                Fill(chunk, at);
                client.Send(chunk);
            }
        });
        // Small reads behind large writes: the server's sends keep finding the socket full, go on as ordinary sends that
        // wait for room, its receive pauses behind them, and every step restarts as the client drains.
        var piece = new byte[4096];
        var expected = new byte[piece.Length];
        for (long at = 0; at < Total;)
        {
            int n = await client.ReceiveAsync(piece, SocketFlags.None).WaitAsync(Patience);
            Assert.NotEqual(0, n);
            Fill(expected.AsSpan(0, n), at);
            Assert.True(piece.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n)), $"the echo differs in the {n} bytes from offset {at}");
            at += n;
        }
        await writer.WaitAsync(Patience);
    }

    [Fact]
    public async Task Many_connections_in_lockstep_each_get_exactly_their_own_messages()
    {
        using var server = Server.Start();
        const int Connections = 400, Rounds = 20; // more sends in one turn than the loop's 256 buffers
        var clients = Enumerable.Range(0, Connections).Select(_ => Connect(server.Port)).ToArray();
        try
        {
            for (int round = 0; round < Rounds; round++)
            {
                int thisRound = round;
                await Task.WhenAll(clients.Select((client, id) => EchoOnceAsync(client, id, thisRound))).WaitAsync(Patience);
            }
        }
        finally
        {
            foreach (var client in clients)
                client.Dispose();
        }
    }

    [Fact]
    public async Task A_message_followed_at_once_by_end_of_stream_is_echoed_then_the_server_closes()
    {
        using var server = Server.Start();
        await Task.WhenAll(Enumerable.Range(0, 50).Select(async id =>
        {
            using var client = Connect(server.Port);
            var message = new byte[100 + id * 37];
            Fill(message, id * 1000);
            client.Send(message);
            client.Shutdown(SocketShutdown.Send);
            var echoed = new MemoryStream();
            var buffer = new byte[4096];
            int n;
            while ((n = await client.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(Patience)) > 0)
                echoed.Write(buffer, 0, n);
            Assert.Equal(message, echoed.ToArray()); // and the loop ended: the server closed after its echo
        })).WaitAsync(Patience);
    }

    [Fact]
    public void The_echo_of_a_connection_that_then_goes_idle_is_counted()
    {
        using var server = Server.Start(metrics: true);
        using var client = Connect(server.Port);
        var message = new byte[321];
        Fill(message, 5);
        client.Send(message);
        var echoed = new byte[message.Length];
        for (int at = 0; at < echoed.Length;)
            at += client.Receive(echoed, at, echoed.Length - at, SocketFlags.None);
        Assert.Equal(message, echoed);
        // Nothing else happens on the loop: the send is confirmed by the bounded wait alone.
        Wait.Until(() => MetricsScrape.From(server.MetricsPort).Value("shootout_server_bytes_echoed_total", ("engine", "uring")) >= 321,
            Patience, "the 321 echoed bytes counted");
    }

    private static async Task EchoOnceAsync(Socket client, int id, int round)
    {
        var message = new byte[64 + (id * 131 + round * 17) % 1900];
        Fill(message, id * 1_000_003L + round * 7919L);
        await client.SendAsync(message, SocketFlags.None);
        var echoed = new byte[message.Length];
        for (int at = 0; at < echoed.Length;)
        {
            int n = await client.ReceiveAsync(echoed.AsMemory(at), SocketFlags.None);
            if (n == 0)
                throw new InvalidOperationException($"connection {id} closed in round {round}");
            at += n;
        }
        Assert.True(message.AsSpan().SequenceEqual(echoed), $"connection {id}, round {round}: the echo differs");
    }

    /// <summary>Bytes that name their position in the stream, so an echo from a reused buffer cannot pass for the right one.</summary>
    private static void Fill(Span<byte> bytes, long streamOffset)
    {
        for (int i = 0; i < bytes.Length; i++)
            bytes[i] = (byte)((streamOffset + i) * 7 % 251);
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>bin/shootout-server --engine uring on an ephemeral loopback port; disposing stops it.</summary>
    private sealed partial class Server(TestProcess process, int port, int metricsPort) : IDisposable
    {
        public int Port { get; } = port;

        public int MetricsPort { get; } = metricsPort;

        public static Server Start(bool metrics = false)
        {
            int metricsPort = metrics ? Ports.Free() : 0;
            var process = TestProcess.Start(RepoPaths.Built("shootout-server"),
                ["--engine", "uring", "--port", "0", "--bind", "127.0.0.1", "--metrics-port", metricsPort.ToString(), "--metrics-bind", "127.0.0.1"],
                new ProcessOptions { Name = "uring server" });
            try
            {
                Match listening = process.WaitForLine(ListeningRegex(), TimeSpan.FromSeconds(30), stdoutOnly: true);
                return new Server(process, int.Parse(listening.Groups[1].Value), metricsPort);
            }
            catch
            {
                process.Dispose();
                throw;
            }
        }

        public void Dispose() => process.Dispose();

        [GeneratedRegex(@"listening=\S+:(\d+)")]
        private static partial Regex ListeningRegex();
    }
}
