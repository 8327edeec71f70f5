using System.Diagnostics;
using Shootout.LoadGen.Plan;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>What a connected connection does, one method per scenario (the idle hold is inline in
/// <see cref="RunAsync"/>, so an idle connection costs no Task).</summary>
internal sealed partial class ConnectionRunner
{
    private Task RunScenarioAsync(Slot slot, NetConnection conn) => plan switch
    {
        { Scenario: ScenarioKind.Hold } => HeartbeatAsync(slot, conn),
        { Closed: true } => ClosedLoopAsync(slot, conn),
        _ => OpenLoopAsync(slot, conn),
    };

    /// <summary>Open model: send each message the pacer handed over, at (or as soon as possible after) its time.</summary>
    private async Task OpenLoopAsync(Slot slot, NetConnection conn)
    {
        long seq = 0, free = 0;
        while (!slot.Closing)
        {
            if (slot.Pending!.TryDequeue(out long scheduled))
            {
                Interlocked.Decrement(ref slot.Queued);
                await _exchange.RunAsync(slot, conn, seq++, scheduled, readyAt: Math.Max(scheduled, free));
                free = Stopwatch.GetTimestamp();
            }
            else
            {
                await slot.Signal!.WaitAsync();
            }
        }
    }

    /// <summary>Closed loop: the next message as soon as the echo of the last returned, except in a pause.</summary>
    private async Task ClosedLoopAsync(Slot slot, NetConnection conn)
    {
        long seq = 0;
        while (!slot.Closing && !clock.Stopping && !clock.Draining)
        {
            if (!clock.Measuring || schedule.PausedAt(clock.Seconds(Stopwatch.GetTimestamp())))
            {
                await slot.Loop.Delay(TimeSpan.FromMilliseconds(5));
                continue;
            }
            await _exchange.RunAsync(slot, conn, seq++, scheduled: 0);
        }
    }

    /// <summary>Held with a heartbeat: one message per period, proving the connection alive.</summary>
    private async Task HeartbeatAsync(Slot slot, NetConnection conn)
    {
        long seq = 0;
        var period = plan.Heartbeat!.Value;
        // Spread the heartbeats of connections opened together over the whole period.
        await slot.Loop.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, period.Ticks))));
        while (!slot.Closing && !clock.Stopping && !clock.Draining)
        {
            await _exchange.RunAsync(slot, conn, seq++, scheduled: 0);
            await slot.Loop.Delay(period);
        }
    }
}
