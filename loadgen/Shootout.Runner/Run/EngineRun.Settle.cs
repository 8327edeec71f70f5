using System.Diagnostics;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    /// <summary>
    /// Samples the servers until resident memory and thread count stop moving (threads still starting,
    /// buffers going back to pools), up to a few seconds; returns the last sample.
    /// </summary>
    private async Task<ProcessSample> SettledAsync(ServerFleet fleet, CancellationToken cancel)
    {
        var deadline = Stopwatch.StartNew();
        ProcessSample? previous = null;
        int steady = 0;
        while (true)
        {
            if (fleet.Crashed() is { } crash) throw new EngineFailure(crash);
            var now = fleet.Sample() ?? throw new EngineFailure(fleet.Crashed() ?? "a server process disappeared");
            if (previous is { } p && now.Threads == p.Threads && Math.Abs(now.RssBytes - p.RssBytes) <= Math.Max(64 * 1024, p.RssBytes / 200))
                steady++;
            else
                steady = 0;
            if (steady >= 3 || deadline.Elapsed > TimeSpan.FromSeconds(8)) return now;
            previous = now;
            await Task.Delay(250, cancel);
        }
    }

    /// <summary>
    /// The kernel's slab memory once it stops moving (freed objects of the previous engine go back lazily),
    /// up to a few seconds. Anything else running on the machine still moves it: the report says so.
    /// </summary>
    private static async Task<long> SlabSettledAsync(CancellationToken cancel)
    {
        var deadline = Stopwatch.StartNew();
        long previous = MemInfo.SlabBytes();
        while (deadline.Elapsed < TimeSpan.FromSeconds(3))
        {
            await Task.Delay(250, cancel);
            long now = MemInfo.SlabBytes();
            if (Math.Abs(now - previous) <= 256 * 1024) return now;
            previous = now;
        }
        return previous;
    }

    /// <summary>
    /// After the load generator closed its side, waits (up to <paramref name="bound"/>, no failure) until the
    /// servers have seen every connection go: with a million, the kernel is still tearing sockets down for
    /// a while, and a SIGTERM in the middle of that measures the teardown rather than the server's stop.
    /// </summary>
    private async Task ServersDrainedAsync(ServerFleet fleet, TimeSpan bound, CancellationToken cancel)
    {
        view.Status($"{plan.Engine}: waiting for the servers to see the connections closed");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < bound && await fleet.ConnectionsAsync() is > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancel);
    }

    private async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, ServerFleet fleet, CancellationToken cancel)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (fleet.Crashed() is { } crash) throw new EngineFailure(crash);
            if (deadline.Elapsed > timeout) throw new EngineFailure($"timed out after {timeout.TotalSeconds:0} s waiting for {what}");
            await Task.Delay(Poll, cancel);
        }
    }
}
