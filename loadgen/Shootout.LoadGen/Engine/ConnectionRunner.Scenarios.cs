using System.Diagnostics;
using Shootout.LoadGen.Net;
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
        { Scenario: ScenarioKind.Flood } => FloodAsync(slot, conn),
        { Scenario: ScenarioKind.NeverReading } => NeverReadAsync(slot, conn),
        { Closed: true } => ClosedLoopAsync(slot, conn),
        _ => OpenLoopAsync(slot, conn),
    };

    /// <summary>Open model: send each message the pacer handed over, at (or as soon as possible after) its time.</summary>
    private async Task OpenLoopAsync(Slot slot, NetConnection conn)
    {
        long seq = 0, free = 0;
        if (plan.Probe) await _exchange.WarmUpAsync(slot, conn);
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

    /// <summary>
    /// Flood: write a chunk whenever the window has room for it, otherwise read what came back (one fiber: a
    /// netpoll connection runs one operation at a time). The window bounds the bytes in flight, so the kernel's
    /// buffers on both sides hold them and neither end blocks the other for good; the echo is checked against
    /// the connection's own byte pattern. A flood that makes no progress for the message timeout fails with
    /// "timeout": starved, not merely slow. Each whole chunk echoed counts as a message.
    /// </summary>
    private async Task FloodAsync(Slot slot, NetConnection conn)
    {
        int size = plan.MessageSize, index = (int)(slot.Global % int.MaxValue);
        var rx = new byte[size];
        long sent = 0, received = 0;
        while (!slot.Closing && !clock.Stopping && !clock.Draining)
        {
            conn.SetDeadline(plan.MessageTimeout);
            if (sent - received + size <= plan.Window)
            {
                await conn.WriteAsync(_pattern.At(index, sent, size));
                sent += size;
                Interlocked.Add(ref stats.BytesSent, size);
                continue;
            }
            int n = await conn.ReadAsync(rx);
            if (n == 0) throw new PeerClosedException();
            if (!_pattern.Matches(index, received, rx.AsSpan(0, n)))
            {
                stats.Error(ErrorKinds.Mismatch);
                stats.MessagesFailed(1);
                return;
            }
            long chunks = (received + n) / size - received / size;
            received += n;
            slot.Progress = received;
            Interlocked.Add(ref stats.BytesReceived, n);
            if (chunks > 0) Interlocked.Add(ref stats.Ok, chunks);
        }
    }

    /// <summary>Never reading: write until the server stops taking bytes (its buffers and ours full), then stay
    /// blocked in that write until the run closes the connection. Writes of at most 16 KiB, so the count of
    /// bytes taken is exact to that.</summary>
    private async Task NeverReadAsync(Slot slot, NetConnection conn)
    {
        int size = Math.Min(plan.MessageSize, 16 * 1024), index = (int)(slot.Global % int.MaxValue);
        long sent = 0;
        while (!slot.Closing && !clock.Stopping && !clock.Draining)
        {
            await conn.WriteAsync(_pattern.At(index, sent, size));
            sent += size;
            slot.Progress = sent;
            Interlocked.Add(ref stats.BytesSent, size);
        }
    }
}
