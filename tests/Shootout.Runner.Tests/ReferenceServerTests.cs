using System.Net;
using System.Net.Sockets;

namespace Shootout.Runner.Tests;

/// <summary>The reference servers speak the engines' echo semantics: half-close, reset, shared port, SIGTERM.</summary>
public sealed class ReferenceServerTests(ReferenceServers servers) : IClassFixture<ReferenceServers>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Names => new(ReferenceServers.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task After_a_half_close_everything_sent_is_echoed_then_the_server_closes(string name)
    {
        var (server, port) = servers.Start(name);
        try
        {
            using var client = await Connect(port);
            var payload = new byte[1 << 20];
            new Random(15).NextBytes(payload);
            var reading = ReadToEndAsync(client);
            await client.SendAsync(payload);
            client.Shutdown(SocketShutdown.Send);
            var echoed = await reading.WaitAsync(Timeout);
            Assert.Equal(payload, echoed);
        }
        finally
        {
            Stop(server);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_reset_ends_only_that_connection_and_a_second_copy_shares_the_port(string name)
    {
        var (first, port) = servers.Start(name);
        var (second, secondPort) = servers.Start(name, port);
        try
        {
            Assert.Equal(port, secondPort);
            using var survivor = await Connect(port);
            await EchoOnce(survivor, "before");
            using (var reset = await Connect(port))
            {
                await reset.SendAsync("doomed"u8.ToArray());
                reset.LingerState = new LingerOption(true, 0); // close sends RST
            }
            // Many connections over the two copies: every one is served.
            var many = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Connect(port)));
            foreach (var c in many) await EchoOnce(c, "each");
            foreach (var c in many) c.Dispose();
            await EchoOnce(survivor, "after");
            Assert.False(first.HasExited, "the first copy exited");
            Assert.False(second.HasExited, "the second copy exited");
        }
        finally
        {
            Stop(first);
            Stop(second);
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task SIGTERM_ends_the_server_with_exit_code_0_while_connections_are_open(string name)
    {
        var (server, port) = servers.Start(name);
        using var open = await Connect(port);
        await EchoOnce(open, "hello");
        Assert.True(server.Signal(Signals.SigTerm));
        Assert.True(server.WaitForExit(Timeout), $"{name} did not exit on SIGTERM");
        Assert.Equal(0, server.ExitCode);
        server.Dispose();
    }

    private static async Task<Socket> Connect(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port)).WaitAsync(Timeout);
        return s;
    }

    private static async Task EchoOnce(Socket s, string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        await s.SendAsync(bytes);
        var got = new byte[bytes.Length];
        for (int n = 0; n < got.Length;)
        {
            int r = await s.ReceiveAsync(got.AsMemory(n)).AsTask().WaitAsync(Timeout);
            Assert.True(r > 0, "the server closed the connection");
            n += r;
        }
        Assert.Equal(bytes, got);
    }

    private static async Task<byte[]> ReadToEndAsync(Socket s)
    {
        var all = new MemoryStream();
        var buffer = new byte[65536];
        int r;
        while ((r = await s.ReceiveAsync(buffer)) > 0) all.Write(buffer, 0, r);
        return all.ToArray();
    }

    private static void Stop(TestProcess p) => p.Dispose();
}
