using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shootout.Server.Tests;

/// <summary>
/// No engine lets busy connections starve the others: a light client beside flooding neighbours gets
/// every echo, and none waits for seconds. A correctness test with one generous bound (a starved client
/// waits for as long as the floods last; a served one for milliseconds, even on a loaded machine), not a
/// latency benchmark: the figures come from the load generator's neighbours scenario and `make bench`.
/// </summary>
public sealed class FairnessTests
{
    private const int Floods = 4;
    private const int RoundTrips = 50;
    private static readonly TimeSpan StarvationBound = TimeSpan.FromSeconds(2);

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void A_light_client_beside_flooding_neighbours_gets_every_echo_within_two_seconds(string engine)
    {
        using var server = ServerProcess.Start(engine);
        var floods = Enumerable.Range(0, Floods).Select(_ => new FloodClient(server.EndPoint)).ToList();
        try
        {
            Wait.Until(() => floods.All(f => f.BytesEchoed > 1 << 20), TimeSpan.FromSeconds(60), "every flood to have 1 MiB echoed");
            long[] before = floods.Select(f => f.BytesEchoed).ToArray();

            using var light = new EchoClient(server.EndPoint);
            var longest = TimeSpan.Zero;
            for (int i = 0; i < RoundTrips; i++)
            {
                byte[] message = [.. BitConverter.GetBytes(i), 1, 2, 3, 4, 5]; // 9 bytes, a different one each time
                var watch = Stopwatch.StartNew();
                byte[] echo = light.Echo(message);
                longest = watch.Elapsed > longest ? watch.Elapsed : longest;
                Assert.Equal(message, echo);
                Thread.Sleep(10); // the light client's pace: a message every ~10 ms, not a measurement
            }

            Assert.True(longest <= StarvationBound, $"{engine}: the light client waited {longest.TotalMilliseconds:0} ms for an echo");
            // The floods were really flooding meanwhile: the light client was served beside them, not after them.
            for (int i = 0; i < Floods; i++)
            {
                Assert.True(floods[i].Error is null, $"flood {i} failed: {floods[i].Error}");
                Assert.True(floods[i].BytesEchoed > before[i], $"flood {i} had nothing echoed while the light client ran");
            }
        }
        finally
        {
            foreach (FloodClient flood in floods)
                flood.Dispose();
        }
    }

    /// <summary>
    /// Busy connections are not starved either: a flood keeps moving while other processes keep every core
    /// busy. (An engine that gives busy connections a lower scheduling class must still leave them a share.)
    /// </summary>
    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void A_flood_keeps_moving_while_other_processes_keep_every_core_busy(string engine)
    {
        using var server = ServerProcess.Start(engine);
        using var flood = new FloodClient(server.EndPoint);
        Wait.Until(() => flood.BytesEchoed > 1 << 20, TimeSpan.FromSeconds(60), "the flood to have 1 MiB echoed");
        var busyCores = Enumerable.Range(0, Environment.ProcessorCount)
            .Select(i => TestProcess.Start("/bin/sh", ["-c", "while :; do :; done"], new ProcessOptions { Name = $"busy core {i}" }))
            .ToList();
        try
        {
            long before = flood.BytesEchoed;
            Wait.Until(() => flood.BytesEchoed >= before + (4 << 20) || flood.Error is not null, TimeSpan.FromSeconds(30),
                "the flood to have 4 MiB more echoed beside the busy cores");
            Assert.True(flood.Error is null, $"the flood failed: {flood.Error}");
        }
        finally
        {
            foreach (TestProcess busy in busyCores)
                busy.Dispose();
        }
    }

    /// <summary>
    /// The async engine's busy connections continue on its background lane: threads the kernel has in the
    /// idle scheduling class (SCHED_IDLE), which is what lets a light client's echo on the socket engine's
    /// threads go first. The flood is what they ran.
    /// </summary>
    [Fact]
    public void The_async_engine_runs_busy_connections_on_threads_in_the_idle_scheduling_class()
    {
        using var server = ServerProcess.Start("async");
        using var flood = new FloodClient(server.EndPoint);
        Wait.Until(() => flood.BytesEchoed > 8 << 20, TimeSpan.FromSeconds(60), "the flood to have 8 MiB echoed");

        var lane = Directory.GetDirectories($"/proc/{server.Pid}/task")
            .Where(task => File.ReadAllText(Path.Combine(task, "comm")).StartsWith("background", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(Environment.ProcessorCount, lane.Count);
        foreach (string task in lane)
            Assert.Equal(SchedIdle, ProcStat.Read(Path.Combine(task, "stat"))[ProcStat.Policy]);
        Assert.True(lane.Sum(OnCpuNanoseconds) > 0, "the background lane's threads never ran");
        Assert.DoesNotContain("refused", server.Stderr);
    }

    /// <summary>
    /// The threads engine moves a busy connection's own thread into the idle scheduling class once it has echoed
    /// its turn without its client pausing, and leaves a light connection's thread in the normal class: with a
    /// flood and a light client that echoes and pauses, exactly one thread of the server is in SCHED_IDLE.
    /// </summary>
    [Fact]
    public void The_threads_engine_moves_only_a_busy_connections_thread_into_the_idle_scheduling_class()
    {
        using var server = ServerProcess.Start("threads");
        using var flood = new FloodClient(server.EndPoint);
        using var light = new EchoClient(server.EndPoint);
        Wait.Until(() => flood.BytesEchoed > 8 << 20, TimeSpan.FromSeconds(60), "the flood to have 8 MiB echoed");
        for (int i = 0; i < 20; i++)
        {
            byte[] message = [.. BitConverter.GetBytes(i), 1, 2, 3, 4, 5];
            Assert.Equal(message, light.Echo(message));
            Thread.Sleep(2); // a pause longer than EchoTurn.PauseEnds: each echo is a turn of its own
        }

        var idle = Directory.GetDirectories($"/proc/{server.Pid}/task")
            .Where(task => ProcStat.Read(Path.Combine(task, "stat"))[ProcStat.Policy] == SchedIdle)
            .ToList();
        Assert.True(idle.Count == 1, $"{idle.Count} threads in SCHED_IDLE, not the flood's one: {string.Join(", ", idle)}");
        Assert.True(flood.Error is null, $"the flood failed: {flood.Error}");
        Assert.DoesNotContain("refused", server.Stderr);
    }

    private const long SchedIdle = 5;

    private static long OnCpuNanoseconds(string task) => long.Parse(File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ')[0]);

    /// <summary>
    /// Writes 64 KiB chunks as fast as the server takes them and reads everything back, each on its own
    /// thread (not the thread pool, which a loaded test machine can starve).
    /// </summary>
    private sealed class FloodClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly Thread _writer;
        private readonly Thread _reader;
        private volatile bool _stopping;
        private long _bytesEchoed;

        public FloodClient(IPEndPoint server)
        {
            _socket.Connect(server);
            _writer = new Thread(Write) { IsBackground = true, Name = "flood-writer" };
            _reader = new Thread(Read) { IsBackground = true, Name = "flood-reader" };
            _writer.Start();
            _reader.Start();
        }

        public long BytesEchoed => Interlocked.Read(ref _bytesEchoed);

        /// <summary>What ended the flood early, if anything did before it was stopped.</summary>
        public Exception? Error { get; private set; }

        private void Write()
        {
            var chunk = new byte[64 * 1024];
            try
            {
                while (!_stopping)
                    _socket.Send(chunk);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_stopping)
                    Error = e;
            }
        }

        private void Read()
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int n;
                while ((n = _socket.Receive(buffer)) > 0)
                    Interlocked.Add(ref _bytesEchoed, n);
                if (!_stopping)
                    Error = new IOException("the server closed the flood");
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (!_stopping)
                    Error = e;
            }
        }

        public void Dispose()
        {
            _stopping = true;
            _socket.Dispose(); // unblocks both threads
            _writer.Join(TimeSpan.FromSeconds(10));
            _reader.Join(TimeSpan.FromSeconds(10));
        }
    }
}
