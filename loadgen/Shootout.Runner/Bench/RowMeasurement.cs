using Shootout.Common;
using Shootout.Runner.Run;

namespace Shootout.Runner.Bench;

/// <summary>
/// The measurements of one row, each phase in a fresh server: memory per idle connection never used; then, used once, the
/// accept rate, memory, threads, syscalls per message; then the closed-loop echo with its CPU per message.
/// </summary>
internal sealed class RowMeasurement(BenchSettings settings, BenchClient client, ServerPorts ports, CpuSet? serverCpus, string workDir)
{
    /// <summary>Waits for the server to hold every idle connection; past this, the row fails rather than hang.</summary>
    private static readonly TimeSpan HoldTimeout = TimeSpan.FromMinutes(2);

    public async Task<RowResult> MeasureAsync(BenchRow row, string host, CancellationToken cancel)
    {
        try
        {
            long idle = await IdleBytesPerConnectionAsync(row, host, cancel);
            return await UsedAsync(row, host, cancel) with { IdleBytesPerConnection = idle };
        }
        catch (BenchFailure e)
        {
            return new RowResult(row) { Error = e.Message, Connections = settings.Connections };
        }
    }

    /// <summary>Connections that never send, as in the million: nothing is echoed, so "held" is the server's own descriptor count.</summary>
    private async Task<long> IdleBytesPerConnectionAsync(BenchRow row, string host, CancellationToken cancel)
    {
        await using var server = await BenchServer.StartAsync(row, host, ports, serverCpus, client, workDir, cancel);
        var before = server.Counters();
        await using var held = await client.HoldAsync("idle", host, server.Port, settings.Connections, HoldTimeout, cancel);
        var deadline = DateTime.UtcNow + HoldTimeout;
        while (ServerCounters.DescriptorsOf(server.Pid) < before.OpenDescriptors + settings.Connections)
        {
            if (!held.Alive || !server.Alive || DateTime.UtcNow > deadline)
            {
                int holds = ServerCounters.DescriptorsOf(server.Pid) - before.OpenDescriptors;
                throw new BenchFailure($"idle: the server holds {holds} of {settings.Connections} connections");
            }
            await Task.Delay(100, cancel);
        }
        await Task.Delay(1_000, cancel); // let the server settle (threads finish starting)
        return (server.Counters().Sample.RssBytes - before.Sample.RssBytes) / settings.Connections;
    }

    private async Task<RowResult> UsedAsync(BenchRow row, string host, CancellationToken cancel)
    {
        await using var server = await BenchServer.StartAsync(row, host, ports, serverCpus, client, workDir, cancel);
        var before = server.Counters();
        long overflowsBefore = ListenOverflows.Read();
        var bursts = new List<double>();
        long usedBytes;
        int threads;
        double? syscalls;
        var acceptCpu = new AcceptCpu(server.Pid);
        await using (var held = await acceptCpu.OverAsync(() => client.HoldAsync("accept", host, server.Port, settings.Connections, HoldTimeout, cancel)))
        {
            if (held.Figures.Number("accepts_per_s") is { } first) bursts.Add(first);
            await Task.Delay(1_000, cancel); // let the server settle (threads finish starting, buffers go back to pools)
            var holding = server.Counters();
            usedBytes = (holding.Sample.RssBytes - before.Sample.RssBytes) / settings.Connections;
            threads = holding.Sample.Threads;
            syscalls = await SyscallCount.PerMessageAsync(row, server, client, workDir, cancel);
        }
        await server.UntilSteadyAsync(cancel);
        await MoreAcceptBurstsAsync(server, host, bursts, acceptCpu, cancel);
        long overflows = ListenOverflows.Read() - overflowsBefore;
        var (cost, clientCpu) = await EchoAsync(server, syscalls, cancel);
        var after = server.Counters();
        return new RowResult(row)
        {
            Connections = settings.Connections,
            AcceptsPerSecond = bursts.Count > 0 ? Statistics.Quantile.Median(bursts) : null,
            AcceptBursts = bursts,
            AcceptsPerCpuSecond = acceptCpu.Seconds > 0 ? settings.Connections * (double)bursts.Count / acceptCpu.Seconds : null,
            UsedBytesPerConnection = usedBytes,
            Threads = threads,
            EchoMessagesPerSecond = cost.MessagesPerSecond,
            CpuUserSeconds = after.Sample.CpuUserSeconds - before.Sample.CpuUserSeconds,
            CpuSystemSeconds = after.Sample.CpuSystemSeconds - before.Sample.CpuSystemSeconds,
            EchoCost = cost,
            ClientCpu = clientCpu,
            ListenOverflows = overflows,
        };
    }

    /// <summary>
    /// The accept rate's further bursts (<see cref="BenchSettings.AcceptBursts"/> in all), each once the server has closed the
    /// last one's connections, from a loopback address of its own (no port of it in TIME_WAIT): one burst of ~0.5 s is one
    /// draw of whatever the scheduler did meanwhile, and the row's figure is their median.
    /// </summary>
    private async Task MoreAcceptBurstsAsync(BenchServer server, string host, List<double> bursts, AcceptCpu acceptCpu, CancellationToken cancel)
    {
        for (int burst = 1; burst < settings.AcceptBursts; burst++)
        {
            await using (var held = await acceptCpu.OverAsync(() =>
                             client.HoldAsync("accept", BurstHost(host, burst), server.Port, settings.Connections, HoldTimeout, cancel)))
            {
                if (held.Figures.Number("accepts_per_s") is { } rate) bursts.Add(rate);
            }
            await server.UntilSteadyAsync(cancel);
        }
    }

    /// <summary>The row's address (127.0.X.Y) with the burst in its second byte: 127.B.X.Y, loopback all the same.</summary>
    private static string BurstHost(string host, int burst)
    {
        var bytes = host.Split('.');
        return $"{bytes[0]}.{burst}.{bytes[2]}.{bytes[3]}";
    }

    /// <summary>
    /// The closed loop, and what each message cost the server: its CPU and context switches over the echo, net of the same
    /// process over an idle second just before (timers and GC at rest are not the messages'), divided by the messages echoed.
    /// </summary>
    private async Task<(MessageCost Cost, GeneratorCpu? ClientCpu)> EchoAsync(BenchServer server, double? syscalls, CancellationToken cancel)
    {
        int[] pids = [server.Pid];
        if (!server.Alive) throw new BenchFailure("the server exited before the echo");
        var rest = await ServerUse.OverAsync(pids, () => Task.Delay(1_000, cancel));
        KeyValues? echo = null;
        GeneratorCpu? clientCpu = null;
        var busy = await ServerUse.OverAsync(pids, async () =>
            (echo, clientCpu) = await client.EchoAsync(server.Host, server.Port, settings.EchoConnections, settings.MessageSize, settings.Seconds, cancel));
        if (!server.Alive) throw new BenchFailure("the server exited during the echo");
        if (echo?.Number("messages") is not { } messages || messages <= 0 || echo.Number("seconds") is not { } seconds || seconds <= 0)
            throw new BenchFailure($"echo: no messages ({echo})");
        var cost = busy.Net(rest).PerMessage("closed", (long)messages, messages / seconds) with { Syscalls = syscalls };
        return (cost, clientCpu);
    }
}
