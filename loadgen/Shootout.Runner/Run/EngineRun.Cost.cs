using System.Diagnostics;
using System.Globalization;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    /// <summary>What an echo phase reports to the cost measurement: messages echoed and their rate.</summary>
    private readonly record struct Echoed(long Messages, double PerSecond);

    /// <summary>
    /// Runs an echo phase inside a cost measurement: first an idle window as long as the phase (the idle connections
    /// held, nothing sent), then the phase, both over the server processes' own counters; the cost per message is
    /// the phase's net of the idle window's. Prints one line.
    /// </summary>
    private async Task<(T Result, MessageCost Cost)> WithCostAsync<T>(string phase, string what, TimeSpan idleFor, ServerFleet fleet, long held,
        Func<Task<(T Result, Echoed Echoed)>> run, CancellationToken cancel)
    {
        var perfCpus = settings.Cpus?.LoadGen;
        view.Status($"{plan.Engine}: waiting for the servers to come to rest before the {phase} phase");
        await AtRestAsync(fleet, held, cancel);
        view.Status($"{plan.Engine}: {idleFor.TotalSeconds:0.#} s at rest before the {phase} phase", "what the servers use idle is not charged per message");
        ServerUse idle;
        await using (var window = await CostWindow.OpenAsync(fleet, perfCpus, Path.Combine(plan.Dir, $"perf-{phase}-idle.log")))
        {
            await Task.Delay(idleFor, cancel);
            idle = await window.CloseAsync();
        }
        await using var busy = await CostWindow.OpenAsync(fleet, perfCpus, Path.Combine(plan.Dir, $"perf-{phase}.log"));
        var (result, echoed) = await run();
        var used = await busy.CloseAsync();
        var cost = used.Net(idle).PerMessage(phase, echoed.Messages, echoed.PerSecond);
        view.Line($"{plan.Engine}: {Describe(cost, what, idle)}" +
                  (busy.SyscallsMissing is { } why ? $"; syscalls not counted: {why}" : ""));
        return (result, cost);
    }

    /// <summary>
    /// Before an idle window: the previous phase's connections closed (a thread-per-connection server's threads
    /// gone), memory and threads settled, and the servers' CPU down to a trickle (a runtime compiles hot code and
    /// collects garbage after a burst of work: that belongs to the work, not to rest). Bounded; never a failure.
    /// </summary>
    private async Task AtRestAsync(ServerFleet fleet, long held, CancellationToken cancel)
    {
        var bound = Stopwatch.StartNew();
        while (bound.Elapsed < AtRestBound && await fleet.ConnectionsAsync() is { } open && open > held)
            await Task.Delay(Poll, cancel);
        await SettledAsync(fleet, cancel);
        var before = fleet.Cpu();
        while (bound.Elapsed < AtRestBound)
        {
            await Task.Delay(QuietInterval, cancel);
            var now = fleet.Cpu();
            var used = now - before;
            if (used.UserSeconds + used.SystemSeconds <= QuietShare * QuietInterval.TotalSeconds) return;
            before = now;
        }
    }

    private static readonly TimeSpan AtRestBound = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan QuietInterval = TimeSpan.FromMilliseconds(500);

    /// <summary>A server using less than this share of a CPU is at rest (a scrape a second, timers).</summary>
    private const double QuietShare = 0.05;

    /// <summary>One line, each figure at the resolution its counters allow (CPU time comes in clock ticks).</summary>
    private static string Describe(MessageCost c, string what, ServerUse idle)
    {
        double tickMicros = 1e6 / Native.ClockTicks / Math.Max(1, c.Messages);
        string cpu = "N" + Math.Clamp((int)Math.Ceiling(-Math.Log10(tickMicros)), 0, 2);
        string F(double v) => v.ToString(cpu, CultureInfo.InvariantCulture);
        string N(double v) => v.ToString("0.00", CultureInfo.InvariantCulture);
        return $"cost per message {what} ({c.Messages.ToString("N0", CultureInfo.InvariantCulture)} messages, " +
               $"{c.MessagesPerSecond.ToString("N0", CultureInfo.InvariantCulture)}/s): {F(c.CpuMicros)} µs CPU (user {F(c.UserMicros)}, " +
               $"system {F(c.SystemMicros)}), {(c.Syscalls is { } s ? N(s) : "?")} syscalls, " +
               $"{N(c.VoluntarySwitches)} voluntary + {N(c.InvoluntarySwitches)} involuntary context switches; " +
               $"net of {idle.Seconds.ToString("0.#", CultureInfo.InvariantCulture)} s at rest " +
               $"({(idle.Counters.UserSeconds + idle.Counters.SystemSeconds).ToString("0.00", CultureInfo.InvariantCulture)} s CPU)";
    }
}
