using System.Diagnostics;
using System.Globalization;
using Shootout.Runner.Cli;
using Shootout.Runner.Live;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

/// <summary>
/// One engine, start to stop: start its server processes, warm up, read the baseline, ramp the idle
/// connections, measure them held, echo at a constant rate and then closed-loop on top of them, stop.
/// </summary>
internal sealed class EngineRun(RunnerSettings settings, EnginePlan plan, IRunView view)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public async Task<EngineResult> RunAsync(CancellationToken cancel)
    {
        var result = new EngineResult { Engine = plan.Engine, IsReference = plan.IsReference, ConnectionsRequested = plan.Connections, Processes = plan.Processes, Destinations = plan.Describe() };
        var wall = Stopwatch.StartNew();
        Directory.CreateDirectory(plan.Dir);
        ServerFleet? fleet = null;
        LoadGenRun? hold = null;
        var watchdog = MemoryWatchdog.System(settings.MemoryReserveBytes);
        using var guardStop = new CancellationTokenSource();
        Task guard = Task.CompletedTask, sampling = Task.CompletedTask;
        var timeline = result.Timeline;
        result.MemAvailableBeforeBytes = MemInfo.AvailableBytes();
        try
        {
            view.Status($"{plan.Engine}: starting {plan.Processes} server process{(plan.Processes == 1 ? "" : "es")}");
            fleet = await ServerFleet.StartAsync(plan.Launch, plan.ServerMetricsPorts, plan.Dir, cancel);
            view.Line($"{plan.Engine}: {plan.Processes} server process(es) on port {fleet.Port} (pids {string.Join(',', fleet.Copies.Select(c => c.Process.Pid))})");

            var running = fleet;
            guard = GuardAsync(watchdog, running, () => hold, result, guardStop.Token);
            sampling = timeline.SampleAsync(running, guardStop.Token);

            var baseline = await WarmUpAsync(fleet, cancel);
            result.BaselineRssBytes = baseline.RssBytes;
            long slabBefore = await SlabSettledAsync(cancel);
            timeline.Baseline(baseline.RssBytes, slabBefore);

            hold = StartHold(fleet.Port);
            long held = await RampAsync(fleet, hold, watchdog, result, cancel);
            if (result.Limit is not null) view.Line($"{plan.Engine}: ramp stopped at {held:N0}: {result.Limit}");
            string? conntrackFull = held < plan.Connections ? KernelLimits.System.ConntrackFull() : null;
            if (conntrackFull is not null) view.Line($"{plan.Engine}: ramp stopped at {held:N0}: {conntrackFull}");

            view.Status($"{plan.Engine}: holding {held:N0} idle connections", "letting memory and threads settle");
            var sample = await SettledAsync(fleet, cancel);
            long slabAfter = await SlabSettledAsync(cancel);
            held = await fleet.ConnectionsAsync() ?? held;
            timeline.OnHeld(fleet, held);
            result.ConnectionsHeld = held;
            result.HeldRssBytes = sample.RssBytes;
            result.Threads = sample.Threads;
            result.CpuUserSeconds = sample.CpuUserSeconds;
            result.CpuSystemSeconds = sample.CpuSystemSeconds;
            result.LoadGenRssBytes = hold.RssBytes();
            result.MemAvailableHeldBytes = MemInfo.AvailableBytes();
            result.Rejected = await fleet.RejectedAsync();
            if (held > 0)
            {
                result.UserBytesPerConnection = (double)(sample.RssBytes - baseline.RssBytes) / held;
                result.KernelBytesPerConnection = (double)(slabAfter - slabBefore) / held;
            }
            view.Line(string.Create(CultureInfo.InvariantCulture,
                $"{plan.Engine}: held {held:N0} in {result.RampSeconds:0.0} s; user {result.UserBytesPerConnection:N0} B/conn ({result.UserGrowthBytes / 1048576.0:N0} MiB growth), kernel {result.KernelBytesPerConnection:N0} B/conn, {sample.Threads} threads; " +
                $"loadgen RSS {result.LoadGenRssBytes / 1048576.0:N0} MiB; MemAvailable {MemoryWatchdog.Gb(result.MemAvailableHeldBytes ?? 0)}"));
            if (result.Rejected.Count > 0)
                view.Line($"{plan.Engine}: the servers closed connections themselves: {string.Join(", ", result.Rejected.Select(kv => $"{kv.Key} {kv.Value:N0}"))}");
            // The loadgen's exit code says whether any error happened at all; what fails an engine is not reaching C
            // — unless the ramp was stopped at a named wall (memory, a kernel limit, its time bound): then that is the result.
            if (held < plan.Connections * 0.99 && result.Limit is null)
                result.Fail($"held {held:N0} of {plan.Connections:N0} connections ({conntrackFull ?? HoldReason(hold)})");

            result.Echo = await EchoAsync(fleet, result, cancel);
            result.MaxMsgsPerSecond = await ClosedLoopAsync(fleet, result, cancel);
            result.Neighbours = await NeighboursPhase.RunAsync(settings, plan, fleet, view, cancel);

            view.Status($"{plan.Engine}: closing the idle connections");
            // Closing a million sockets on both ends shares two cores with servers tearing down theirs: at 1M
            // (async) that took over 30 s, at 300K about 9 s.
            var holdSummary = await hold.InterruptAsync(TimeSpan.FromSeconds(30 + result.ConnectionsHeld / 15_000));
            // An interrupted hold may report no rate of its own (a paused ramp, agents stopped
            // mid-summary); then the rate is what the servers took: connections held over the ramp.
            result.ConnectRatePerSecond = holdSummary.ConnectRate is > 0 ? holdSummary.ConnectRate
                : result.RampSeconds > 0 ? result.ConnectionsHeld / result.RampSeconds : null;
            await ServersDrainedAsync(fleet, TimeSpan.FromSeconds(30), cancel);
            timeline.Connections(await fleet.ConnectionsAsync() ?? 0);
            if (fleet.Crashed() is { } crash) throw new EngineFailure(crash);
        }
        catch (EngineFailure e)
        {
            result.Fail(e.Message);
            view.Line($"{plan.Engine}: FAILED: {e.Message}");
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Ctrl-C: keep what was measured; the run writes its reports and stops after this engine.
            result.Fail("interrupted");
        }
        finally
        {
            await guardStop.CancelAsync();
            await guard;
            await sampling;
            result.MemAvailableLowestBytes = watchdog.LowestBytes;
            hold?.Dispose();
            if (fleet is not null)
            {
                view.Status($"{plan.Engine}: stopping (SIGTERM)");
                bool crashedBefore = fleet.Crashed() is not null;
                // Every copy closes its share at once on two cores: a million sockets take longer than a few thousand.
                var grace = TimeSpan.FromSeconds(10 + result.ConnectionsHeld / 20_000);
                result.StoppedCleanly = await fleet.StopAsync(grace);
                if (result.StoppedCleanly == false && !crashedBefore)
                    result.Fail($"did not exit with 0 within {grace.TotalSeconds:0} s of SIGTERM");
                await fleet.DisposeAsync();
            }
            result.WallSeconds = wall.Elapsed.TotalSeconds;
        }
        return result;
    }

    private const int WarmupPerCopy = 100;

    /// <summary>Warm-up connections for <paramref name="copies"/> server copies when --warmup-connections is <paramref name="asked"/> (0: none).</summary>
    public static int WarmupFor(int asked, int copies) =>
        asked == 0 ? 0 : Math.Min(10_000, Math.Max(asked, WarmupPerCopy * copies));

    /// <summary>
    /// Open, echo on and close a few connections before the baseline, so one-off costs (JIT, pools, heap
    /// growth) are not counted per connection. Every engine gets the same warm-up.
    /// </summary>
    private async Task<ProcessSample> WarmUpAsync(ServerFleet fleet, CancellationToken cancel)
    {
        // At least ~100 per server copy: the kernel spreads connections over the copies, and a copy the
        // warm-up missed would compile its accept and echo paths during the ramp, which would then
        // count as growth per connection (with 54 copies, 200 connections leave some copies untouched).
        int warmup = WarmupFor(settings.WarmupConnections, fleet.Copies.Count);
        if (warmup > 0)
        {
            view.Status($"{plan.Engine}: warm-up ({warmup} connections)");
            var warm = await LoadGenRun.RunAsync(settings.LoadGenPath, "warmup",
                ["echo", "--target", $"{plan.WarmupAddress}:{fleet.Port}", "--connections", I(warmup),
                 "--rate", I(warmup * 5), "--duration", "1s", "--message-size", I(settings.MessageSize), "--agents", "0"],
                Path.Combine(plan.Dir, "warmup"), TimeSpan.FromSeconds(60), cancel);
            if (fleet.Crashed() is { } crash) throw new EngineFailure($"during warm-up: {crash}");
            if (warm.MessagesOk == 0) throw new EngineFailure($"warm-up: no echo came back ({warm.Message ?? warm.Status})");
        }
        await WaitUntilAsync(async () => await fleet.ConnectionsAsync() == 0, TimeSpan.FromSeconds(20), "the warm-up connections to close", fleet, cancel);
        view.Status($"{plan.Engine}: reading the baseline");
        return await SettledAsync(fleet, cancel);
    }

    private LoadGenRun StartHold(int port)
    {
        // No set end: the hold is interrupted once the echo phases are done. The bound only matters if
        // this runner is killed outright, so an orphaned loadgen does not hold connections for long.
        var bound = TimeSpan.FromSeconds(300 + 4 * plan.Connections / settings.ConnectRate)
                    + settings.EchoDuration + settings.ClosedDuration;
        return LoadGenRun.Start(settings.LoadGenPath, "hold",
            ["hold", "--target", $"{plan.HoldAddress}:{port}", "--dest-addresses", I(plan.HoldAddresses),
             "--connections", I(plan.Connections), "--connect-rate", settings.ConnectRate.ToString(CultureInfo.InvariantCulture),
             "--duration", LoadGenRun.Duration(bound), "--agents", "auto", "--metrics-port", I(plan.HoldMetricsPort)],
            Path.Combine(plan.Dir, "hold"));
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
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (fleet.Crashed() is { } crash) throw new EngineFailure($"while ramping: {crash}");
                var client = ClientProgress.Parse(await MetricsScrape.TextAsync(holdMetrics));
                bool clientDone = client.Tried >= plan.Connections;
                if (clientDone || ramp.Elapsed >= nextServerPoll)
                {
                    nextServerPoll = ramp.Elapsed + serverPoll;
                    long held = await fleet.ConnectionsAsync() ?? best;
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
                        result.Limit = $"the servers could not start more threads ({n:N0} connections closed for thread_limit): {KernelLimits.System.Describe()}";
                    return best;
                }
                if (wall is not null)
                {
                    hold.Pause();
                    result.Limit = wall;
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
        }
    }

    /// <summary>
    /// The loadgen's side of a ramp, from its metrics: connections open now, connection attempts that have
    /// ended (established or failed), and attempts started.
    /// </summary>
    internal readonly record struct ClientProgress(long Open, long Tried, long Started)
    {
        /// <summary>Attempts still connecting: the kernel completes them once a server's queue has room.</summary>
        public long Connecting => Math.Max(0, Started - Tried);

        /// <summary>What the servers will still be handed beyond the <paramref name="held"/> they hold:
        /// connections the client holds and they have not accepted yet, and those still connecting.</summary>
        public long StillToAccept(long held) => Math.Max(0, Open - held) + Connecting;

        public static ClientProgress Parse(string? metrics) => metrics is null ? default
            : new((long)MetricsScrape.Sum(metrics, "shootout_loadgen_connections"), (long)MetricsScrape.Sum(metrics, "shootout_loadgen_connects_total"),
                (long)MetricsScrape.Sum(metrics, "shootout_loadgen_connect_attempts_total"));
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

    /// <summary>
    /// For the engine's whole life: if MemAvailable falls below half the reserve anyway (past the ramp's own
    /// check), every process of this engine is killed at once, so the machine stays usable; the engine fails with the reason.
    /// </summary>
    private async Task GuardAsync(MemoryWatchdog watchdog, ServerFleet fleet, Func<LoadGenRun?> hold, EngineResult result, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (watchdog.Check() == MemoryVerdict.Emergency)
                {
                    result.Fail(watchdog.Reason + "; every process of the engine was killed");
                    view.Line($"{plan.Engine}: {watchdog.Reason}: killing the load generator and the servers");
                    hold()?.KillTree();
                    fleet.KillAll();
                    return;
                }
                await Task.Delay(250, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string HoldReason(LoadGenRun hold) =>
        hold.HasExited ? $"the load generator stopped: {hold.LastLines()}"
            : $"none more for {settings.RampStall.TotalSeconds:0.#} s; load generator: {hold.LastLines(1)}";

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

    private async Task<EchoResult?> EchoAsync(ServerFleet fleet, EngineResult result, CancellationToken cancel)
    {
        view.Status($"{plan.Engine}: echo at {settings.EchoRate:N0} msg/s on {settings.EchoConnections} connections for {settings.EchoDuration.TotalSeconds:0.#} s");
        var echo = await LoadGenRun.RunAsync(settings.LoadGenPath, "echo",
            ["echo", "--target", $"{plan.EchoAddress}:{fleet.Port}", "--connections", I(settings.EchoConnections),
             "--rate", settings.EchoRate.ToString(CultureInfo.InvariantCulture), "--duration", LoadGenRun.Duration(settings.EchoDuration),
             "--message-size", I(settings.MessageSize), "--agents", "0", "--metrics-port", I(plan.EchoMetricsPort)],
            Path.Combine(plan.Dir, "echo"), settings.EchoDuration + TimeSpan.FromSeconds(60), cancel);
        if (fleet.Crashed() is { } crash) throw new EngineFailure($"during echo: {crash}");
        if (echo.MessagesOk == 0) throw new EngineFailure($"echo: no message came back ({echo.Message ?? echo.Status})");
        result.NoteHints("echo", echo.Hints);
        // Requested is the rate this run asked for (the load generator's own figure averages its schedule over
        // the seconds it measured, a few sends short of it).
        var r = new EchoResult(settings.EchoRate, echo.RateAchieved, echo.Latency("p50"), echo.Latency("p99"), echo.Latency("p999"), echo.Latency("max"))
        {
            Spectrum = LatencySpectrum.From(echo.Json["latency_us"]),
        };
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{plan.Engine}: echo {r.RateAchieved:N0}/{r.RateRequested:N0} msg/s, p50 {r.P50:N0} µs, p99 {r.P99:N0} µs, p99.9 {r.P999:N0} µs"));
        return r;
    }

    private async Task<double> ClosedLoopAsync(ServerFleet fleet, EngineResult result, CancellationToken cancel)
    {
        view.Status($"{plan.Engine}: closed loop on {settings.ClosedConnections} connections for {settings.ClosedDuration.TotalSeconds:0.#} s");
        var closed = await LoadGenRun.RunAsync(settings.LoadGenPath, "closed",
            ["echo", "--closed", "--target", $"{plan.ClosedAddress}:{fleet.Port}", "--connections", I(settings.ClosedConnections),
             "--duration", LoadGenRun.Duration(settings.ClosedDuration), "--message-size", I(settings.MessageSize), "--agents", "0",
             "--metrics-port", I(plan.EchoMetricsPort)],
            Path.Combine(plan.Dir, "closed"), settings.ClosedDuration + TimeSpan.FromSeconds(60), cancel);
        if (fleet.Crashed() is { } crash) throw new EngineFailure($"during the closed loop: {crash}");
        if (closed.MessagesOk == 0) throw new EngineFailure($"closed loop: no message came back ({closed.Message ?? closed.Status})");
        result.NoteHints("closed", closed.Hints);
        view.Line(string.Create(CultureInfo.InvariantCulture, $"{plan.Engine}: closed loop {closed.RateAchieved:N0} msg/s"));
        return closed.RateAchieved;
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

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
