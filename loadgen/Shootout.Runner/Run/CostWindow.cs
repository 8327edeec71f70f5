using System.Diagnostics;
using Shootout.Common;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

/// <summary>What the server processes used over one window: CPU and context switches from /proc, syscalls from perf (null: not counted).</summary>
internal sealed record ServerUse(double Seconds, CpuCounters Counters, long? Syscalls)
{
    /// <summary>
    /// This window net of <paramref name="idle"/>, scaled to this window's length: what the processes would
    /// have used at rest (timers, scrapes, GC) is not the messages'. Never below zero.
    /// </summary>
    public ServerUse Net(ServerUse idle)
    {
        double scale = idle.Seconds > 0 ? Seconds / idle.Seconds : 0;
        var rest = idle.Counters.Times(scale);
        var net = Counters - rest;
        return new ServerUse(Seconds,
            new CpuCounters(Math.Max(0, net.UserSeconds), Math.Max(0, net.SystemSeconds), Math.Max(0, net.Voluntary), Math.Max(0, net.Involuntary)),
            Syscalls is { } busy && idle.Syscalls is { } still ? Math.Max(0, busy - (long)Math.Round(still * scale)) : null);
    }

    /// <summary>
    /// What <paramref name="pids"/> use while <paramref name="work"/> runs: CPU from /proc at both ends, context switches by
    /// <see cref="ThreadSwitches"/> (threads that start and end within count too), no syscalls (perf counts those apart).
    /// </summary>
    public static async Task<ServerUse> OverAsync(IReadOnlyList<int> pids, Func<Task> work)
    {
        await using var switches = ThreadSwitches.Start(pids);
        var start = CpuCounters.Cpu(pids);
        var clock = Stopwatch.StartNew();
        await work();
        var cpu = CpuCounters.Cpu(pids) - start;
        double seconds = clock.Elapsed.TotalSeconds;
        var (voluntary, involuntary) = await switches.StopAsync();
        return new ServerUse(seconds, cpu with { Voluntary = voluntary, Involuntary = involuntary }, null);
    }

    /// <summary>Per message: the question's <c>/usr/bin/time</c> figures divided by the messages echoed.</summary>
    public MessageCost PerMessage(string phase, long messages, double messagesPerSecond)
    {
        double n = Math.Max(1, messages);
        return new MessageCost(phase, messages, messagesPerSecond, Counters.UserSeconds * 1e6 / n, Counters.SystemSeconds * 1e6 / n,
            Syscalls / n, Counters.Voluntary / n, Counters.Involuntary / n);
    }
}

/// <summary>
/// One window over the server processes: counters read at its start and end, and perf counting their syscalls
/// in between (perf runs on the load generator's CPUs, off the servers').
/// </summary>
internal sealed class CostWindow : IAsyncDisposable
{
    private readonly ServerFleet _fleet;
    private readonly SyscallCounter? _syscalls;
    private readonly ThreadSwitches _switches;
    private readonly CpuCounters _start;
    private readonly Stopwatch _clock;

    /// <summary>Why syscalls are not counted in this window, or null when they are.</summary>
    public string? SyscallsMissing { get; }

    private CostWindow(ServerFleet fleet, IReadOnlyList<int> pids, SyscallCounter? syscalls, string? missing)
    {
        _fleet = fleet;
        _syscalls = syscalls;
        SyscallsMissing = missing;
        _switches = ThreadSwitches.Start(pids);
        _start = fleet.Cpu();
        _clock = Stopwatch.StartNew();
    }

    public static async Task<CostWindow> OpenAsync(ServerFleet fleet, CpuSet? perfCpus, string logPath)
    {
        var pids = fleet.Pids.ToList();
        var (counter, why) = await CountSyscallsAsync(fleet, pids, perfCpus, logPath);
        return new CostWindow(fleet, pids, counter, why);
    }

    /// <summary>
    /// Over the servers' cgroup where there is one (their processes and whatever they fork, moved there now; every thread
    /// counted with one descriptor per CPU); else over their threads, which a thread-per-connection server at scale has
    /// more of than perf may open descriptors for.
    /// </summary>
    private static async Task<(SyscallCounter? Counter, string? Why)> CountSyscallsAsync(ServerFleet fleet, List<int> pids, CpuSet? perfCpus,
        string logPath)
    {
        var (cgroup, noCgroup) = ServerCgroup.OfThisRun();
        if (cgroup is not null)
        {
            noCgroup = cgroup.HoldExactly(fleet.Processes());
            if (noCgroup is null)
            {
                var (counter, perfWhy) = await SyscallCounter.StartAsync(cgroup.Name, perfCpus, logPath);
                if (counter is not null) return (counter, null);
                noCgroup = $"perf cannot count cgroup {cgroup.Name} ({perfWhy})";
            }
        }
        var (byThread, why) = await SyscallCounter.StartAsync(pids, fleet.Sample()?.Threads ?? 0, MachineInfo.OpenFileLimit(), perfCpus, logPath);
        return (byThread, why is null ? null : $"{why}; and not by cgroup: {noCgroup}");
    }

    public async Task<ServerUse> CloseAsync()
    {
        var cpu = _fleet.Cpu() - _start;
        double seconds = _clock.Elapsed.TotalSeconds;
        var (voluntary, involuntary) = await _switches.StopAsync();
        long? syscalls = _syscalls is null ? null : await _syscalls.StopAsync();
        return new ServerUse(seconds, cpu with { Voluntary = voluntary, Involuntary = involuntary }, syscalls);
    }

    public async ValueTask DisposeAsync()
    {
        _syscalls?.Dispose();
        await _switches.DisposeAsync();
    }
}
