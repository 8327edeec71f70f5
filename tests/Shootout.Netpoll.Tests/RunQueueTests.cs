using System.Diagnostics;
using System.Net.Sockets;

namespace Shootout.Netpoll.Tests;

/// <summary>
/// Fibers whose sockets always have data take turns with the rest of their loop: on one event loop, a
/// light connection beside two floods gets every echo, none after seconds. A correctness bound, not a
/// latency figure (those come from the load generator's neighbours scenario).
/// </summary>
public class RunQueueTests
{
    [Fact]
    [Trait("Category", "WallClock")]
    public async Task A_light_connection_is_served_beside_floods_on_the_same_loop()
    {
        await using var engine = await RunningEngine.StartAsync(o => o with { EventLoops = 1 });
        var stop = new CancellationTokenSource();
        var echoed = new long[2];
        var floods = new List<Task>();
        var sockets = new List<Socket>();
        for (int i = 0; i < echoed.Length; i++)
        {
            int index = i;
            Socket socket = await engine.ConnectAsync();
            sockets.Add(socket);
            floods.Add(Task.Factory.StartNew(() => FloodWrite(socket, stop.Token), TaskCreationOptions.LongRunning));
            floods.Add(Task.Factory.StartNew(() => FloodRead(socket, ref echoed[index]), TaskCreationOptions.LongRunning));
        }
        try
        {
            await Wait.UntilAsync(() => Interlocked.Read(ref echoed[0]) > 1 << 20 && Interlocked.Read(ref echoed[1]) > 1 << 20,
                TimeSpan.FromSeconds(60), "both floods to have 1 MiB echoed");
            using Socket light = await engine.ConnectAsync();
            light.ReceiveTimeout = 20_000;
            var longest = TimeSpan.Zero;
            var reply = new byte[9];
            for (int round = 0; round < 30; round++)
            {
                byte[] message = [.. BitConverter.GetBytes(round), 9, 8, 7, 6, 5];
                var watch = Stopwatch.StartNew();
                light.Send(message);
                for (int got = 0; got < reply.Length;)
                {
                    int n = light.Receive(reply.AsSpan(got));
                    Assert.True(n > 0, "the server closed the light connection");
                    got += n;
                }
                longest = watch.Elapsed > longest ? watch.Elapsed : longest;
                Assert.Equal(message, reply);
                await Task.Delay(10); // the light connection's pace, not a measurement
            }
            // The loop shares this test process's two cores with the four flood threads (and, in the suite, with
            // other test assemblies), so this bound catches starvation — before the run-queue fix the light
            // connection waited until the floods stopped — not a scheduling hiccup; the 2 s bound per engine is
            // the server's own test (tests/Shootout.Server.Tests/FairnessTests.cs) against the real executable.
            Assert.True(longest < TimeSpan.FromSeconds(10), $"the light connection waited {longest.TotalMilliseconds:0} ms for an echo");
        }
        finally
        {
            stop.Cancel();
            foreach (Socket socket in sockets)
                socket.Dispose();
            await Task.WhenAll(floods).WaitAsync(RunningEngine.Timeout);
        }
    }

    private static void FloodWrite(Socket socket, CancellationToken stop)
    {
        var chunk = new byte[64 * 1024];
        try
        {
            while (!stop.IsCancellationRequested)
                socket.Send(chunk);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // disposed at the end of the test
        }
    }

    private static void FloodRead(Socket socket, ref long echoed)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = socket.Receive(buffer)) > 0)
                Interlocked.Add(ref echoed, n);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // disposed at the end of the test
        }
    }
}
