using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Shootout.Fibers;

namespace Shootout.Netpoll.Tests;

/// <summary>What a client (the load generator) needs beyond reads and writes: local bind, connect timeout,
/// deadlines, sleeping and signalled fibers, reset, and private descriptor tables.</summary>
public sealed class ClientTests : OneLoopFixture
{
    [Fact]
    public async Task Connect_binds_the_local_address_it_is_given()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        var local = new IPEndPoint(IPAddress.Parse("127.0.0.5"), 0);
        await OnLoop(async () =>
        {
            NetConnection connection = await Loop.ConnectAsync(ListenEndPoint, local);
            connection.Close();
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);
        Assert.Equal(local.Address, ((IPEndPoint)peer.RemoteEndPoint!).Address);
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public async Task A_connect_that_gets_no_answer_times_out()
    {
        // A listener that never accepts: once its queue is full the kernel drops further SYNs unanswered.
        using var full = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        full.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        full.Listen(1);
        var target = (IPEndPoint)full.LocalEndPoint!;
        var errors = new List<SocketError>();
        long elapsedMs = 0;
        await OnLoop(async () =>
        {
            var clock = Stopwatch.StartNew();
            var open = new List<NetConnection>();
            for (int i = 0; i < 8; i++)
            {
                try { open.Add(await Loop.ConnectAsync(target, timeout: TimeSpan.FromMilliseconds(300))); }
                catch (SocketException e) { errors.Add(e.SocketErrorCode); }
            }
            elapsedMs = clock.ElapsedMilliseconds;
            foreach (NetConnection c in open)
                c.Reset();
        });
        Assert.Contains(SocketError.TimedOut, errors);
        Assert.All(errors, e => Assert.Equal(SocketError.TimedOut, e));
        Assert.InRange(elapsedMs, 250, 8 * 300 + 2000);
    }

    [Fact]
    public async Task A_deadline_fails_the_pending_read_and_later_ones_until_cleared()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        SocketError? first = null, second = null;
        int afterClear = -1;
        var cleared = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task fiber = OnLoop(async () =>
        {
            NetConnection connection = await Loop.ConnectAsync(ListenEndPoint);
            connection.SetDeadline(TimeSpan.FromMilliseconds(200));
            try { await connection.ReadAsync(Loop.SharedBuffer); }
            catch (SocketException e) { first = e.SocketErrorCode; }
            try { await connection.ReadAsync(Loop.SharedBuffer); }
            catch (SocketException e) { second = e.SocketErrorCode; }
            connection.SetDeadline(null);
            cleared.SetResult();
            afterClear = await connection.ReadAsync(Loop.SharedBuffer);
            connection.Close();
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);
        await cleared.Task.WaitAsync(RunningEngine.Timeout);
        await peer.SendAsync(new byte[3]);
        await fiber;
        Assert.Equal(SocketError.TimedOut, first);
        Assert.Equal(SocketError.TimedOut, second);
        Assert.Equal(3, afterClear);
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public async Task Sleeping_fibers_wake_in_due_order_on_the_loop_thread()
    {
        var woke = new List<int>();
        int loopThread = 0;
        var clock = Stopwatch.StartNew();
        await OnLoop(() =>
        {
            loopThread = Environment.CurrentManagedThreadId;
            var sleepers = new[] { 150, 50, 100 }.Select(async ms =>
            {
                await Loop.Delay(TimeSpan.FromMilliseconds(ms));
                Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
                woke.Add(ms);
            }).ToArray();
            return Task.WhenAll(sleepers);
        });
        Assert.Equal([50, 100, 150], woke);
        Assert.True(clock.ElapsedMilliseconds >= 140, $"woke after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task Stop_aborts_a_sleeping_fiber()
    {
        var group = new EventLoopGroup(new NetpollOptions { Loops = 1 });
        var sleeping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task fiber = group.Loops[0].Spawn(async () =>
        {
            ValueTask delay = group.Loops[0].Delay(TimeSpan.FromMinutes(10));
            sleeping.SetResult();
            await delay;
        });
        await sleeping.Task.WaitAsync(RunningEngine.Timeout);
        await group.StopAsync().WaitAsync(RunningEngine.Timeout);
        var e = await Assert.ThrowsAsync<SocketException>(() => fiber.WaitAsync(RunningEngine.Timeout));
        Assert.Equal(SocketError.OperationAborted, e.SocketErrorCode);
    }

    [Fact]
    public async Task A_signal_resumes_its_fiber_and_remembers_a_set_without_a_waiter()
    {
        var steps = new List<string>();
        await OnLoop(async () =>
        {
            var signal = new FiberSignal(Loop);
            signal.Set();
            await signal.WaitAsync(); // remembered
            steps.Add("first");
            ValueTask wait = signal.WaitAsync();
            Assert.False(wait.IsCompleted);
            Task resumed = ResumeAsync(wait, steps);
            steps.Add("set");
            signal.Set(); // resumes inline
            steps.Add("after set");
            await resumed;
        });
        Assert.Equal(["first", "set", "second", "after set"], steps);

        static async Task ResumeAsync(ValueTask wait, List<string> steps)
        {
            await wait;
            steps.Add("second");
        }
    }

    [Fact]
    public async Task Reset_closes_with_a_tcp_reset()
    {
        Task<Socket> accepting = Listener.AcceptAsync();
        await OnLoop(async () =>
        {
            NetConnection connection = await Loop.ConnectAsync(ListenEndPoint);
            connection.Reset();
            Assert.True(connection.IsClosed);
        });
        using Socket peer = await accepting.WaitAsync(RunningEngine.Timeout);
        var e = await Assert.ThrowsAsync<SocketException>(async () =>
        {
            using var cts = new CancellationTokenSource(RunningEngine.Timeout);
            while (await peer.ReceiveAsync(new byte[16], SocketFlags.None, cts.Token) > 0) { }
            throw new InvalidOperationException("orderly end of stream instead of a reset");
        });
        Assert.Equal(SocketError.ConnectionReset, e.SocketErrorCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_private_descriptor_tables_a_loops_sockets_are_invisible_to_the_rest_of_the_process(bool isPrivate)
    {
        await using var group = new EventLoopGroup(new NetpollOptions { Loops = 1, PrivateDescriptorTables = isPrivate });
        Task<Socket> accepting = Listener.AcceptAsync();
        int fd = -1;
        string? onLoop = null;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        EventLoop loop = group.Loops[0];
        Task fiber = loop.Spawn(async () =>
        {
            NetConnection connection = await loop.ConnectAsync(ListenEndPoint);
            fd = connection.Fd;
            onLoop = new FileInfo($"/proc/thread-self/fd/{fd}").LinkTarget; // readlink: opens nothing
            connected.SetResult();
            await connection.ReadAsync(loop.SharedBuffer); // until the peer closes
            connection.Close();
        });
        using (Socket peer = await accepting.WaitAsync(RunningEngine.Timeout))
        {
            await connected.Task.WaitAsync(RunningEngine.Timeout);
            string? seenByProcess;
            try { seenByProcess = new FileInfo($"/proc/self/fd/{fd}").LinkTarget; }
            catch (IOException) { seenByProcess = null; }
            Assert.StartsWith("socket:", onLoop);
            if (isPrivate)
                Assert.NotEqual(onLoop, seenByProcess);
            else
                Assert.Equal(onLoop, seenByProcess);
        }
        await fiber.WaitAsync(RunningEngine.Timeout);
        if (isPrivate) // its loops could not see a listening socket
            Assert.Throws<InvalidOperationException>(() => { _ = group.StartAcceptingAsync([Listener], new NoHandler()); });
    }

    private sealed class NoHandler : IConnectionHandler
    {
        public bool OnAccepted() => false;
        public TimeSpan OnAcceptError(int errno) => TimeSpan.Zero;
        public void OnConnection(NetConnection connection) => connection.Close();
    }
}
