using System.Diagnostics;
using System.Globalization;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    private LoadGenRun StartHold(int port)
    {
        // No set end: the hold is interrupted once the echo phases are done. The bound only matters if
        // this runner is killed outright, so an orphaned loadgen does not hold connections for long.
        var bound = TimeSpan.FromSeconds(300 + 4 * plan.Connections / settings.ConnectRate)
                    + settings.EchoDuration + settings.ClosedDuration;
        return LoadGenRun.Start(settings.LoadGenPath, "hold",
            ["hold", "--target", $"{plan.HoldAddress}:{port}", "--dest-addresses", I(plan.HoldAddresses),
             "--connections", I(plan.Connections), "--connect-rate", settings.ConnectRate.ToString(CultureInfo.InvariantCulture),
             "--duration", LoadGenRun.Duration(bound), "--agents", "auto", "--metrics-port", I(plan.HoldMetricsPort), .. ServerCpusArgs],
            Path.Combine(plan.Dir, "hold"), LoadGenCpus);
    }

    /// <summary>
    /// Waits until the servers hold every connection, or have accepted every one the loadgen opened and still
    /// holds (a server may close some itself, e.g. at its descriptor budget), or the loadgen gives up, or no
    /// progress is made for a while. Stops the ramp short (pausing the loadgen, which keeps what it holds) at a
    /// wall: memory about to fall below the reserve, the servers unable to start more threads, or the ramp's
    /// time bound; the wall goes into <see cref="EngineResult.Limit"/>. The ramp time is when the servers
    /// last took a connection, so waiting out a stall is not counted in it.
    /// </summary>
    private async Task<long> RampAsync(ServerFleet fleet, LoadGenRun hold, MemoryWatchdog watchdog, EngineResult result, CancellationToken cancel)
    {
        var stallLimit = settings.RampStall;
        var sinceProgress = Stopwatch.StartNew();
        var ramp = Stopwatch.StartNew();
        string holdMetrics = $"http://127.0.0.1:{plan.HoldMetricsPort}/metrics";
        double acceptCost = MemoryWatchdog.AcceptCost(plan.Engine);
        // Each server scrape costs that server CPU and garbage; with dozens of copies sharing two cores,
        // asking all of them five times a second slowed the ramp. The loadgen (one endpoint) is read every poll.
        var serverPoll = TimeSpan.FromMilliseconds(Math.Clamp(20 * fleet.Copies.Count, Poll.TotalMilliseconds, 1000));
        var nextServerPoll = TimeSpan.Zero;
        TimeSpan? rampEnd = null; // when the servers last took a connection
        long best = 0;
        // Counting what the servers hold can take seconds (a thread-per-connection reference with tens of
        // thousands of threads per copy), while memory falls by a GiB a second. So the count runs beside this loop, and the
        // loop goes on checking memory every poll with the last count it has: a late count only makes the
        // connections still to be accepted look more, the safe side.
        Task<long?>? counting = null;
        // A count still running ends before anything else counts (its result is stale by then; a fault of it is not the ramp's).
        async Task EndCountAsync()
        {
            if (counting is not null)
                await counting.ContinueWith(static _ => { }, TaskScheduler.Default);
            counting = null;
        }
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (fleet.Crashed() is { } crash) throw new EngineFailure($"while ramping: {crash}");
                var client = ClientProgress.Parse(await MetricsScrape.TextAsync(holdMetrics));
                bool clientDone = client.Tried >= plan.Connections;
                if (counting is null && (clientDone || ramp.Elapsed >= nextServerPoll))
                {
                    nextServerPoll = ramp.Elapsed + serverPoll;
                    counting = Task.Run(fleet.ConnectionsAsync); // off this loop: without metrics it reads /proc synchronously
                }
                if (counting is { IsCompleted: true })
                {
                    long held = await counting ?? best;
                    counting = null;
                    if (held > best) { best = held; sinceProgress.Restart(); rampEnd = ramp.Elapsed; result.Timeline.OnHeld(fleet, held); }
                }
                view.Status($"{plan.Engine}: ramping {plan.Connections:N0} idle connections",
                    string.Create(CultureInfo.InvariantCulture, $"{best:N0} held after {ramp.Elapsed.TotalSeconds:0.0} s"));
                if (best >= plan.Connections || hold.HasExited || (clientDone && best >= client.Open)) return best;

                string? wall = null;
                if (watchdog.Check(client.StillToAccept(best), acceptCost) != MemoryVerdict.Fine)
                    wall = watchdog.Reason;
                else if (ramp.Elapsed > settings.RampTimeout)
                    wall = $"the ramp's time bound ({settings.RampTimeout.TotalSeconds:0} s, --ramp-timeout)";
                else if (sinceProgress.Elapsed > stallLimit)
                {
                    // Stalled. A threads engine that cannot start another thread is at a kernel wall; anything else is a failure.
                    var rejected = await fleet.RejectedAsync();
                    if (rejected.GetValueOrDefault("thread_limit") is > 0 and var n)
                        result.Limit = $"the servers could not start more threads ({n:N0} connections closed for thread_limit): " +
                                       KernelLimits.System.Describe();
                    return best;
                }
                if (wall is not null)
                {
                    hold.Pause();
                    result.Limit = wall;
                    await EndCountAsync();
                    view.Line($"{plan.Engine}: stopping the ramp at {best:N0} held ({client.Open:N0} opened by the client): {wall}");
                    best = await DrainAcceptQueueAsync(fleet, watchdog, cancel);
                    rampEnd = ramp.Elapsed;
                    return best;
                }
                await Task.Delay(Poll, cancel);
            }
        }
        finally
        {
            result.RampSeconds = (rampEnd ?? ramp.Elapsed).TotalSeconds;
            await EndCountAsync();
        }
    }

    // The threads engine accepts ~5,000/s over its copies, and at its memory wall a few hundred thousand
    // connections can still be queued or connecting: 60 s was too short for that (the figures were then read
    // while it still accepted). The watchdog's emergency check keeps guarding the machine meanwhile.
    private static readonly TimeSpan DrainBound = TimeSpan.FromSeconds(180);

    /// <summary>Once the loadgen is paused: the servers still accept what the kernel already established; wait for that to end.</summary>
    private async Task<long> DrainAcceptQueueAsync(ServerFleet fleet, MemoryWatchdog watchdog, CancellationToken cancel)
    {
        var sinceProgress = Stopwatch.StartNew();
        var bound = Stopwatch.StartNew();
        long best = 0;
        while (sinceProgress.Elapsed < TimeSpan.FromSeconds(3) && bound.Elapsed < DrainBound)
        {
            if (fleet.Crashed() is { } crash) throw new EngineFailure($"while ramping: {crash}");
            if (watchdog.Check() == MemoryVerdict.Emergency) throw new EngineFailure(watchdog.Reason);
            long held = await fleet.ConnectionsAsync() ?? best;
            if (held > best) { best = held; sinceProgress.Restart(); }
            await Task.Delay(Poll, cancel);
        }
        return best;
    }

    private string HoldReason(LoadGenRun hold) =>
        hold.HasExited ? $"the load generator stopped: {hold.LastLines()}"
            : $"none more for {settings.RampStall.TotalSeconds:0.#} s; load generator: {hold.LastLines(1)}";
}
