using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Bench;

/// <summary>
/// Syscalls per echoed message of a running server: a small fixed closed-loop echo (100 connections × 64 B for 2 s, its own
/// phase, since counting every syscall slows the server) while <c>perf stat</c> counts each syscall the server's threads
/// enter (the raw_syscalls:sys_enter tracepoint, a software event that works where hardware counters do not), by the
/// runner's <see cref="SyscallCounter"/>: over the run's cgroup holding this server alone, so a thread per connection
/// holding more threads than perf may open descriptors for is counted too; else over its threads.
/// </summary>
internal static class SyscallCount
{
    private const int Connections = 100, MessageSize = 64;
    private const double Seconds = 2;

    /// <summary>Null, with a line saying why, where perf cannot count.</summary>
    public static async Task<double?> PerMessageAsync(BenchRow row, BenchServer server, BenchClient client, string workDir, CancellationToken cancel)
    {
        string log = Path.Combine(workDir, $"syscalls-{row.Name.Replace('#', '-')}.log");
        var (counter, why) = await StartAsync(server, log);
        if (counter is null)
        {
            Console.Error.WriteLine($"{row.Name}: syscalls per message not counted: {why}");
            return null;
        }
        using (counter)
        {
            var (echo, _) = await client.EchoAsync(server.Host, server.Port, Connections, MessageSize, Seconds, cancel);
            long? calls = await counter.StopAsync();
            if (calls is null || echo.Number("messages") is not { } messages || messages <= 0)
            {
                Console.Error.WriteLine($"{row.Name}: syscalls per message not counted (perf: see {log}; client: {echo})");
                return null;
            }
            return calls.Value / messages;
        }
    }

    private static async Task<(SyscallCounter? Counter, string? Why)> StartAsync(BenchServer server, string log)
    {
        var (cgroup, noCgroup) = ServerCgroup.OfThisRun();
        if (cgroup is not null && (noCgroup = cgroup.HoldExactly([server.Pid])) is null)
        {
            var (counter, perfWhy) = await SyscallCounter.StartAsync(cgroup.Name, null, log);
            if (counter is not null) return (counter, null);
            noCgroup = perfWhy;
        }
        var threads = ProcessSample.Read(server.Pid)?.Threads ?? 0;
        var (byThread, why) = await SyscallCounter.StartAsync([server.Pid], threads, MachineInfo.OpenFileLimit(), null, log);
        return (byThread, why is null ? null : $"{why}; and not by cgroup: {noCgroup}");
    }
}
