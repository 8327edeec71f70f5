using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Shootout.Netpoll.Tests;

/// <summary>One listening socket shared by every loop: EPOLLEXCLUSIVE wake-ups, round-robin hand-over.</summary>
public class SharedListenerTests
{
    private sealed class EchoHandler : IConnectionHandler
    {
        public readonly ConcurrentDictionary<int, int> ConnectionsPerLoop = new();

        public bool OnAccepted() => true;
        public TimeSpan OnAcceptError(int errno) => TimeSpan.FromMilliseconds(10);

        public void OnConnection(NetConnection connection)
        {
            ConnectionsPerLoop.AddOrUpdate(connection.Loop.Id, 1, (_, n) => n + 1);
            _ = EchoAsync(connection);
        }

        private static async Task EchoAsync(NetConnection connection)
        {
            try
            {
                int n;
                while ((n = await connection.ReadAsync(connection.Loop.SharedBuffer)) > 0)
                    await connection.WriteAsync(connection.Loop.SharedBuffer[..n]);
            }
            catch (SocketException)
            {
            }
            finally
            {
                connection.Close();
            }
        }
    }

    [Fact]
    public async Task Connections_from_one_listener_are_spread_over_the_loops_and_served()
    {
        await using var group = new EventLoopGroup(new NetpollOptions { Loops = 2 });
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(128);
        var handler = new EchoHandler();
        await group.StartAcceptingAsync([listener], handler).WaitAsync(RunningEngine.Timeout);

        for (int i = 0; i < 20; i++)
        {
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!).WaitAsync(RunningEngine.Timeout);
            byte[] message = SocketExtensions.Pattern(1000, seed: i);
            await client.SendAsync(message);
            Assert.Equal(message, await client.ReceiveExactlyAsync(message.Length));
        }
        Assert.Equal(10, handler.ConnectionsPerLoop[0]);
        Assert.Equal(10, handler.ConnectionsPerLoop[1]);
    }
}
