using System.Net;
using System.Net.Sockets;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll.Tests;

/// <summary>The netpoller itself: parking and resuming, awaitable reuse, stale events, partial writes, wake-up and stop.</summary>
public sealed class NetpollTests : OneLoopFixture
{
    [Fact]
    public async Task Post_from_another_thread_wakes_the_blocked_loop()
    {
        for (int i = 0; i < 100; i++)
        {
            var ran = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            Loop.Post(() => ran.SetResult(Environment.CurrentManagedThreadId));
            int loopThread = await ran.Task.WaitAsync(RunningEngine.Timeout);
            Assert.NotEqual(Environment.CurrentManagedThreadId, loopThread);
        }
    }

    [Fact]
    public async Task Client_round_trips_are_allocation_free_once_warm()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        long allocated = -1;
        Task fiber = OnLoop(async () =>
        {
            NetConnection connection = await Loop.ConnectAsync(ListenEndPoint);
            var message = new byte[64];
            var reply = new byte[64];
            long before = 0;
            bool ok = true;
            for (int i = 0; i < 2000; i++)
            {
                if (i == 1000)
                    before = GC.GetAllocatedBytesForCurrentThread();
                message[0] = (byte)i;
                await connection.WriteAsync(message);
                int got = 0;
                while (got < reply.Length)
                {
                    int n = await connection.ReadAsync(reply.AsMemory(got));
                    ok &= n > 0;
                    got += n;
                }
                ok &= reply[0] == (byte)i; // (xunit asserts allocate: checked after the loop)
            }
            Assert.True(ok);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            connection.Close();
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);
        Task echo = EchoAsync(peer);
        await fiber;
        await echo.WaitAsync(RunningEngine.Timeout);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task A_completed_ValueTask_cannot_be_awaited_again_and_one_operation_runs_at_a_time()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        Exception? secondAwait = null, concurrent = null, wrongThread = null;
        NetConnection? connection = null;
        Task fiber = OnLoop(async () =>
        {
            connection = await Loop.ConnectAsync(ListenEndPoint);
            ValueTask<int> read = connection.ReadAsync(new byte[16]);
            concurrent = Record(() => connection.WriteAsync(new byte[1]));
            Assert.Equal(3, await read);
            secondAwait = await RecordAsync(async () => await read);
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);
        await Wait.UntilAsync(() => concurrent is not null, RunningEngine.Timeout, "the fiber to park");
        wrongThread = Record(() => connection!.ReadAsync(new byte[1]));
        await peer.SendAsync(new byte[] { 1, 2, 3 });
        await fiber;
        Assert.IsType<InvalidOperationException>(secondAwait);
        Assert.IsType<InvalidOperationException>(concurrent);
        Assert.IsType<InvalidOperationException>(wrongThread);
    }

    [Fact]
    public async Task Events_for_a_closed_registration_never_reach_the_connection_reusing_its_slot()
    {
        var accepted = new List<Socket>();
        Task acceptAll = Task.Run(async () => { for (int i = 0; i < 2; i++) accepted.Add(await Listener.AcceptAsync()); });
        ulong staleToken = 0;
        long staleBefore = 0, staleAfter = 0;
        bool stillWaiting = false;
        await OnLoop(async () =>
        {
            NetConnection first = await Loop.ConnectAsync(ListenEndPoint);
            staleToken = (ulong)(uint)first.Slot << 32 | first.Generation;
            first.Close();
            NetConnection second = await Loop.ConnectAsync(ListenEndPoint);
            // Same table slot (and usually the same fd: the kernel hands out the lowest free one).
            Assert.Equal(first.Slot, second.Slot);
            Assert.NotEqual(first.Generation, second.Generation);
            ValueTask<int> read = second.ReadAsync(new byte[16]);
            staleBefore = Loop.StaleEvents;
            // An event epoll had queued for the first registration, delivered after its close.
            Loop.DispatchForTest(staleToken, Epoll.EPOLLIN | Epoll.EPOLLERR | Epoll.EPOLLHUP);
            staleAfter = Loop.StaleEvents;
            stillWaiting = second.IsWaitingForRead;
            second.Close();
            await Assert.ThrowsAsync<SocketException>(async () => await read);
        });
        await acceptAll.WaitAsync(RunningEngine.Timeout);
        accepted.ForEach(s => s.Dispose());
        Assert.Equal(staleBefore + 1, staleAfter);
        Assert.True(stillWaiting);
    }

    [Fact]
    public async Task A_partial_write_parks_until_the_peer_reads_and_keeps_shared_buffer_data_intact()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        byte[] expected = SocketExtensions.Pattern(Loop.SharedBuffer.Length, seed: 11);
        const int Rounds = 64; // 4 MiB: far more than loopback socket buffers hold
        var parked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task fiber = OnLoop(async () =>
        {
            NetConnection connection = await Loop.ConnectAsync(ListenEndPoint);
            for (int i = 0; i < Rounds; i++)
            {
                expected.CopyTo(Loop.SharedBuffer);
                ValueTask<int> write = connection.WriteAsync(Loop.SharedBuffer);
                if (!write.IsCompleted)
                {
                    parked.TrySetResult();
                    Loop.SharedBuffer.Span.Fill(0xEE); // other fibers reuse the shared buffer meanwhile
                }
                Assert.Equal(expected.Length, await write);
            }
            connection.ShutdownWrite();
            Assert.Equal(0, await connection.ReadAsync(Loop.SharedBuffer));
            connection.Close();
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);
        await parked.Task.WaitAsync(RunningEngine.Timeout);
        Assert.False(fiber.IsCompleted);
        byte[] all = await peer.ReceiveToEndAsync();
        Assert.Equal(expected.Length * Rounds, all.Length);
        for (int i = 0; i < Rounds; i++)
            Assert.True(all.AsSpan(i * expected.Length, expected.Length).SequenceEqual(expected), $"round {i} corrupted");
        peer.Shutdown(SocketShutdown.Send);
        await fiber;
    }

    [Fact]
    public async Task Connect_to_a_closed_port_fails_with_connection_refused()
    {
        var unused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        unused.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var endPoint = (IPEndPoint)unused.LocalEndPoint!;
        unused.Dispose();
        SocketException? error = null;
        await OnLoop(async () =>
        {
            try { await Loop.ConnectAsync(endPoint); }
            catch (SocketException e) { error = e; }
        });
        Assert.Equal(SocketError.ConnectionRefused, error?.SocketErrorCode);
    }

    [Fact]
    public async Task Stop_resumes_parked_fibers_with_an_abort_and_ends_the_loop_threads()
    {
        var group = new EventLoopGroup(new NetpollOptions { Loops = 2 });
        var peers = new List<Socket>();
        Task acceptAll = Task.Run(async () => { for (int i = 0; i < 20; i++) peers.Add(await Listener.AcceptAsync()); });
        int aborted = 0, parked = 0;
        var fibers = Enumerable.Range(0, 20).Select(_ => group.Next().Spawn(async () =>
        {
            NetConnection connection = await EventLoop.Current!.ConnectAsync(ListenEndPoint);
            try
            {
                Interlocked.Increment(ref parked);
                await connection.ReadAsync(EventLoop.Current!.SharedBuffer);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.OperationAborted)
            {
                Interlocked.Increment(ref aborted);
            }
            finally
            {
                connection.Close();
            }
        })).ToArray();
        await acceptAll.WaitAsync(RunningEngine.Timeout);
        await Wait.UntilAsync(() => Volatile.Read(ref parked) == 20, RunningEngine.Timeout, "20 parked fibers");
        await group.StopAsync().WaitAsync(RunningEngine.Timeout);
        await Task.WhenAll(fibers).WaitAsync(RunningEngine.Timeout);
        Assert.Equal(20, aborted);
        Assert.Throws<InvalidOperationException>(() => group.Loops[0].Post(() => { }));
        foreach (Socket peer in peers)
        {
            Assert.Empty(await peer.ReceiveToEndAsync()); // the netpoll side closed
            peer.Dispose();
        }
    }

    private static async Task EchoAsync(Socket socket)
    {
        var buffer = new byte[4096];
        while (true)
        {
            int n = await socket.ReceiveAsync(buffer);
            if (n == 0)
                return;
            await socket.SendAsync(buffer.AsMemory(0, n));
        }
    }

    private static Exception? Record(Func<ValueTask<int>> action)
    {
        try { action(); return null; }
        catch (Exception e) { return e; }
    }

    private static async Task<Exception?> RecordAsync(Func<Task> action)
    {
        try { await action(); return null; }
        catch (Exception e) { return e; }
    }
}
