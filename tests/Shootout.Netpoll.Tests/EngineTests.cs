using System.Net.Sockets;
using Shootout.Server.Core;

namespace Shootout.Netpoll.Tests;

/// <summary>The epoll engine in-process: echo semantics, admission, stop.</summary>
public class EngineTests
{
    [Fact]
    public async Task Echoes_every_byte_in_order_on_many_connections()
    {
        await using var server = await RunningEngine.StartAsync();
        var clients = await Task.WhenAll(Enumerable.Range(0, 50).Select(async i =>
        {
            using Socket socket = await server.ConnectAsync();
            for (int round = 0; round < 5; round++)
            {
                byte[] message = SocketExtensions.Pattern(100 + i * 37 + round, seed: i * 10 + round);
                await socket.SendAsync(message);
                Assert.Equal(message, await socket.ReceiveExactlyAsync(message.Length));
            }
            return true;
        }));
        Assert.All(clients, Assert.True);
        await Wait.UntilAsync(() => server.Stats.OpenConnections == 0, RunningEngine.Timeout, "connections to close");
        Assert.Equal(50, server.Stats.Accepted);
    }

    [Fact]
    public async Task On_client_FIN_echoes_everything_then_closes()
    {
        await using var server = await RunningEngine.StartAsync();
        using Socket socket = await server.ConnectAsync();
        byte[] data = SocketExtensions.Pattern(3 * 1024 * 1024, seed: 7);
        Task<byte[]> received = socket.ReceiveToEndAsync();
        await socket.SendAsync(data);
        socket.Shutdown(SocketShutdown.Send);
        Assert.Equal(data, await received);
        await Wait.UntilAsync(() => server.Stats.OpenConnections == 0, RunningEngine.Timeout, "the connection to close");
        Assert.Equal(data.Length, server.Stats.BytesEchoed);
    }

    [Fact]
    public async Task A_client_that_does_not_read_is_not_read_from_and_resumes_when_it_reads()
    {
        await using var server = await RunningEngine.StartAsync();
        using Socket socket = await server.ConnectAsync();
        socket.ReceiveBufferSize = 64 * 1024;
        byte[] data = SocketExtensions.Pattern(32 * 1024 * 1024, seed: 3);
        Task sending = socket.SendAsync(data);

        // The server parks on EPOLLOUT and stops reading: kernel buffers fill and the send stalls.
        long echoed = -1;
        // Stalled: no byte echoed between two samples 200 ms apart.
        await Wait.UntilAsync(() =>
        {
            long now = server.Stats.BytesEchoed;
            bool stalled = now > 0 && now == echoed;
            echoed = now;
            return stalled;
        }, RunningEngine.Timeout, "the echo to stall", poll: TimeSpan.FromMilliseconds(200));
        Assert.False(sending.IsCompleted);
        Assert.True(server.Stats.BytesEchoed < data.Length / 2);

        // Another connection is still served meanwhile.
        using (Socket other = await server.ConnectAsync())
        {
            await other.SendAsync(new byte[] { 1, 2, 3 });
            Assert.Equal(new byte[] { 1, 2, 3 }, await other.ReceiveExactlyAsync(3));
        }

        // Once the client reads, everything arrives in order.
        Assert.Equal(data, await socket.ReceiveExactlyAsync(data.Length));
        await sending.WaitAsync(RunningEngine.Timeout);
    }

    [Fact]
    public async Task A_reset_ends_only_that_connection()
    {
        await using var server = await RunningEngine.StartAsync();
        using Socket survivor = await server.ConnectAsync();
        for (int i = 0; i < 20; i++)
        {
            Socket victim = await server.ConnectAsync();
            await victim.SendAsync(new byte[1000]);
            victim.LingerState = new LingerOption(true, 0); // close sends RST
            victim.Close();
        }
        await Wait.UntilAsync(() => server.Stats.OpenConnections == 1, RunningEngine.Timeout, "reset connections to close");
        await survivor.SendAsync(new byte[] { 42 });
        Assert.Equal(new byte[] { 42 }, await survivor.ReceiveExactlyAsync(1));
    }

    [Fact]
    public async Task Connections_over_the_limit_are_closed_at_once_and_counted()
    {
        await using var server = await RunningEngine.StartAsync(o => o with { MaxConnections = 2 });
        using Socket a = await server.ConnectAsync();
        using Socket b = await server.ConnectAsync();
        await Wait.UntilAsync(() => server.Stats.OpenConnections == 2, RunningEngine.Timeout, "two open connections");
        using Socket c = await server.ConnectAsync();
        Assert.Empty(await c.ReceiveToEndAsync());
        Assert.Equal(1, server.Stats.Rejected(RejectReason.Limit));
        await a.SendAsync(new byte[] { 5 });
        Assert.Equal(new byte[] { 5 }, await a.ReceiveExactlyAsync(1));
    }

    [Fact]
    public async Task Idle_connections_are_closed_after_the_idle_timeout()
    {
        await using var server = await RunningEngine.StartAsync(o => o with { IdleTimeout = TimeSpan.FromMilliseconds(300) });
        using Socket idle = await server.ConnectAsync();
        await idle.SendAsync(new byte[] { 9 });
        Assert.Equal(new byte[] { 9 }, await idle.ReceiveExactlyAsync(1));
        Assert.Empty(await idle.ReceiveToEndAsync());
        Assert.Equal(1, server.Stats.Rejected(RejectReason.IdleTimeout));
        await Wait.UntilAsync(() => server.Stats.OpenConnections == 0, RunningEngine.Timeout, "the connection to be counted closed");
    }

    [Fact]
    public async Task Stop_closes_every_connection_and_returns()
    {
        var server = await RunningEngine.StartAsync();
        var sockets = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => server.ConnectAsync()));
        await Wait.UntilAsync(() => server.Stats.OpenConnections == 200, RunningEngine.Timeout, "200 open connections");
        await server.StopAsync();
        Assert.Equal(0, server.Stats.OpenConnections);
        foreach (Socket s in sockets)
        {
            Assert.Empty(await s.ReceiveToEndAsync());
            s.Dispose();
        }
        await Assert.ThrowsAnyAsync<SocketException>(() => server.ConnectAsync());
        await server.DisposeAsync();
    }
}
