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
        double? accepts;
        long usedBytes;
        int threads;
        double? syscalls;
        await using (var held = await client.HoldAsync("accept", host, server.Port, settings.Connections, HoldTimeout, cancel))
        {
            accepts = held.Figures.Number("accepts_per_s");
            await Task.Delay(1_000, cancel); // let the server settle (threads finish starting, buffers go back to pools)
            var holding = server.Counters();
            usedBytes = (holding.Sample.RssBytes - before.Sample.RssBytes) / settings.Connections;
            threads = holding.Sample.Threads;
            syscalls = await SyscallCount.PerMessageAsync(row, server, client, workDir, cancel);
        }
        long overflows = ListenOverflows.Read() - overflowsBefore;
        await server.UntilSteadyAsync(cancel);
        var (cost, clientCpu) = await EchoAsync(server, syscalls, cancel);
        var after = server.Counters();
        return new RowResult(row)
        {
            Connections = settings.Connections,
            AcceptsPerSecond = accepts,
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
