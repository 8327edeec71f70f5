using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
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
                 "--rate", I(warmup * 5), "--duration", "1s", "--message-size", I(settings.MessageSize), "--agents", "0", .. ServerCpusArgs],
                Path.Combine(plan.Dir, "warmup"), TimeSpan.FromSeconds(60), cancel, LoadGenCpus);
            if (fleet.Crashed() is { } crash) throw new EngineFailure($"during warm-up: {crash}");
            if (warm.MessagesOk == 0) throw new EngineFailure($"warm-up: no echo came back ({warm.Message ?? warm.Status})");
        }
        await WaitUntilAsync(async () => await fleet.ConnectionsAsync() == 0, TimeSpan.FromSeconds(20), "the warm-up connections to close", fleet, cancel);
        view.Status($"{plan.Engine}: reading the baseline");
        return await SettledAsync(fleet, cancel);
    }
}
