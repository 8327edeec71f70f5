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
/// <remarks>
/// The phases live in partial files by facet: <c>EngineRun.WarmUp.cs</c> (warm-up and baseline),
/// <c>EngineRun.Ramp.cs</c> (ramp and accept-queue drain), <c>EngineRun.ClientProgress.cs</c> (the load
/// generator's side of a ramp), <c>EngineRun.Echo.cs</c> (open- and closed-loop echo), <c>EngineRun.Settle.cs</c>
/// (waiting for memory, slab and connections to settle) and <c>EngineRun.Guard.cs</c> (the memory guard).
/// </remarks>
internal sealed partial class EngineRun(RunnerSettings settings, EnginePlan plan, IRunView view)
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);

    public async Task<EngineResult> RunAsync(CancellationToken cancel)
    {
        var result = new EngineResult
        {
            Engine = plan.Engine,
            Kind = plan.Kind,
            ConnectionsRequested = plan.Connections,
            Processes = plan.Processes,
            Destinations = plan.Describe(),
        };
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
            fleet = await ServerFleet.StartAsync(plan.Launch, plan.ServerMetricsPorts, plan.Dir, cancel, ServerCpus);
            var pids = string.Join(',', fleet.Copies.Select(c => c.Process.Pid));
            view.Line($"{plan.Engine}: {plan.Processes} server process(es) on port {fleet.Port} (pids {pids})");

            var running = fleet;
            guard = GuardAsync(watchdog, running, () => hold, result, guardStop.Token);
            sampling = timeline.SampleAsync(running, guardStop.Token);

            var baseline = await WarmUpAsync(fleet, cancel);
            result.BaselineRssBytes = baseline.RssBytes;
            long slabBefore = await SlabSettledAsync(cancel);
            timeline.Baseline(baseline.RssBytes, slabBefore);

            hold = StartHold(fleet.Port);
            result.Cpus = CpusInUse(fleet, hold);
            long held;
            string rampGenerator;
            await using (var rampMeter = hold.MeterCpu(LoadGenCpus))
            {
                held = await RampAsync(fleet, hold, watchdog, result, cancel);
                rampGenerator = NoteGenerator(result, "ramp", await rampMeter.StopAsync());
            }
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
                $"{plan.Engine}: held {held:N0} in {result.RampSeconds:0.0} s; " +
                $"user {result.UserBytesPerConnection:N0} B/conn ({result.UserGrowthBytes / 1048576.0:N0} MiB growth), " +
                $"kernel {result.KernelBytesPerConnection:N0} B/conn, {sample.Threads} threads; " +
                $"loadgen RSS {result.LoadGenRssBytes / 1048576.0:N0} MiB; MemAvailable {MemoryWatchdog.Gb(result.MemAvailableHeldBytes ?? 0)}")
                + rampGenerator);
            if (result.Rejected.Count > 0)
            {
                var closed = string.Join(", ", result.Rejected.Select(kv => $"{kv.Key} {kv.Value:N0}"));
                view.Line($"{plan.Engine}: the servers closed connections themselves: {closed}");
            }
            // The loadgen's exit code says whether any error happened at all; what fails an engine is not reaching C
            // — unless the ramp was stopped at a named wall (memory, a kernel limit, its time bound): then that is the result.
            if (held < plan.Connections * 0.99 && result.Limit is null)
                result.Fail($"held {held:N0} of {plan.Connections:N0} connections ({conntrackFull ?? HoldReason(hold)})");

            result.Echo = await EchoAsync(fleet, result, cancel);
            result.MaxMsgsPerSecond = await ClosedLoopAsync(fleet, result, cancel);
            result.Neighbours = await NeighboursPhase.RunAsync(settings, plan, fleet, ServerCpusArgs, view, cancel);
            NoteGenerator(result, "neighbours", result.Neighbours?.GeneratorShare);

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

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
