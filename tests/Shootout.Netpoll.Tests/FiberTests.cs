using System.Net.Sockets;
using Shootout.Fibers;

namespace Shootout.Netpoll.Tests;

/// <summary><see cref="Fiber"/>: the fire-and-forget async method type the echo engine's connections run as.</summary>
public sealed class FiberTests : OneLoopFixture
{
    [Fact]
    public async Task A_fiber_parks_on_reads_writes_and_other_awaitables_and_resumes_on_its_loop()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        var ended = new TaskCompletionSource<(int Echoed, bool AlwaysOnLoop)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await OnLoop(async () =>
        {
            NetConnection connection = await Loop.ConnectAsync(ListenEndPoint);
            _ = EchoWithPauseAsync(connection, Environment.CurrentManagedThreadId, ended);
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);

        var reply = new byte[5];
        for (int i = 0; i < 3; i++)
        {
            await peer.SendAsync("hello"u8.ToArray());
            int got = 0;
            while (got < reply.Length)
                got += await peer.ReceiveAsync(reply.AsMemory(got)).AsTask().WaitAsync(RunningEngine.Timeout);
            Assert.Equal("hello"u8.ToArray(), reply);
        }
        peer.Shutdown(SocketShutdown.Send);

        var (echoed, alwaysOnLoop) = await ended.Task.WaitAsync(RunningEngine.Timeout);
        Assert.Equal(15, echoed);
        Assert.True(alwaysOnLoop);
        Assert.Empty(LoopErrors);
    }

    [Fact]
    public async Task An_exception_that_escapes_a_fiber_goes_to_OnError_and_the_loop_goes_on()
    {
        await OnLoop(() => { _ = ThrowAfterParkingAsync(); return Task.CompletedTask; });
        await Wait.UntilAsync(() => { lock (LoopErrors) return LoopErrors.Count == 1; }, RunningEngine.Timeout, "the loop to report the fiber's error");
        lock (LoopErrors)
            Assert.Equal("from the fiber", Assert.IsType<InvalidOperationException>(LoopErrors[0]).Message);

        var stillRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Loop.Post(stillRunning.SetResult);
        await stillRunning.Task.WaitAsync(RunningEngine.Timeout);
    }

    [Fact]
    public async Task A_fiber_parked_on_a_read_keeps_only_its_state_machine()
    {
        const int count = 200;
        var accepted = new List<Socket>();
        Task accepting = Task.Run(async () =>
        {
            for (int i = 0; i < count; i++)
                accepted.Add(await Listener.AcceptAsync());
        });
        long fiberBytes = -1, taskBytes = -1;
        await OnLoop(async () =>
        {
            var connections = new NetConnection[count];
            for (int i = 0; i < count; i++)
                connections[i] = await Loop.ConnectAsync(ListenEndPoint);
            // Warm both paths up (first calls compile and allocate once), then measure the next 100 of each.
            _ = ParkedFiberAsync(connections[0]);
            _ = ParkedTaskAsync(connections[1]);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 2; i < 102; i++)
                _ = ParkedFiberAsync(connections[i]);
            long middle = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 102; i < count; i++)
                _ = ParkedTaskAsync(connections[i]);
            long after = GC.GetAllocatedBytesForCurrentThread();
            fiberBytes = (middle - before) / 100;
            taskBytes = (after - middle) / (count - 102);
        });
        await accepting.WaitAsync(RunningEngine.Timeout);
        foreach (var socket in accepted)
            socket.Dispose();

        // The box of this fiber's state machine: header and method table, the connection, the builder,
        // the awaiter and the state. A Task-based box of the same method adds the Task's own fields.
        Assert.InRange(fiberBytes, 1, 72);
        Assert.True(taskBytes >= fiberBytes + 40, $"a parked fiber allocated {fiberBytes} B, the same method as a Task {taskBytes} B");
    }

    private static async Fiber EchoWithPauseAsync(NetConnection connection, int loopThread, TaskCompletionSource<(int, bool)> ended)
    {
        int echoed = 0;
        bool onLoop = true;
        try
        {
            while (true)
            {
                int n = await connection.ReadAsync(connection.Loop.SharedBuffer);
                onLoop &= Environment.CurrentManagedThreadId == loopThread;
                if (n == 0)
                    break;
                await connection.Loop.Delay(TimeSpan.FromMilliseconds(1)); // an awaitable that is not a NetOperation
                onLoop &= Environment.CurrentManagedThreadId == loopThread;
                await connection.WriteAsync(connection.Loop.SharedBuffer[..n]);
                echoed += n;
            }
        }
        finally
        {
            connection.Close();
            ended.SetResult((echoed, onLoop));
        }
    }

    private async Fiber ThrowAfterParkingAsync()
    {
        await Loop.Delay(TimeSpan.FromMilliseconds(1));
        throw new InvalidOperationException("from the fiber");
    }

    private static async Fiber ParkedFiberAsync(NetConnection connection)
    {
        try { await connection.ReadAsync(connection.Loop.SharedBuffer); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }

    private static async Task ParkedTaskAsync(NetConnection connection)
    {
        try { await connection.ReadAsync(connection.Loop.SharedBuffer); }
        catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
    }
}
