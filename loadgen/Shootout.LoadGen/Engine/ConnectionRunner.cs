using System.Diagnostics;
using System.Net;
using Shootout.Fibers;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// The life of one connection, as a fiber on its loop: connect, run the plan's scenario
/// (<c>ConnectionRunner.Scenarios.cs</c>) until closed or failed, and account for what it leaves behind.
/// The pacer reads <see cref="PendingConnects"/> and <see cref="Running"/> to pace and to notice a run
/// whose connections are all gone.
/// </summary>
internal sealed partial class ConnectionRunner(LoadPlan plan, Schedule schedule, WorkerStats stats, RunClock clock,
    ActiveSlots table, IPEndPoint[] targets, IPEndPoint[] sources, SampleLog? samples)
{
    private readonly MessageExchange _exchange = new(plan, schedule, stats, clock, samples);
    private readonly StreamPattern _pattern = new(plan.MessageSize);
    private readonly int _portRange = SourceAddresses.PortRange();
    private readonly int _pairs = targets.Distinct().Count() * Math.Max(1, sources.Length);

    /// <summary>Connects started and not yet finished.</summary>
    public int PendingConnects;

    /// <summary>Connection fibers started and not yet ended.</summary>
    public int Running;

    /// <summary>Called by the pacer when it hands <paramref name="slot"/> to its loop.</summary>
    public void Starting()
    {
        Interlocked.Increment(ref PendingConnects);
        Interlocked.Increment(ref Running);
    }

    /// <summary>The fiber of one connection. An idle held connection is this fiber parked in one read of the
    /// loop's shared buffer: a <see cref="Fiber"/>, so that costs its state machine and no Task.</summary>
    public async Fiber RunAsync(Slot slot)
    {
        NetConnection conn;
        long started = Stopwatch.GetTimestamp();
        stats.ConnectAttempt();
        try
        {
            if (slot.Closing) throw new OperationCanceledException();
            // Connection k goes to target k mod T from source k / T mod S: every source meets every target,
            // so S sources multiply the ports available towards each destination by S.
            var target = targets[slot.Global % targets.Length];
            var source = sources.Length == 0 ? null : sources[slot.Global / targets.Length % sources.Length];
            conn = await slot.Loop.ConnectAsync(target, source, plan.ConnectTimeout);
        }
        catch (Exception e)
        {
            Interlocked.Decrement(ref PendingConnects);
            if (!slot.Closing && !clock.Stopping)
            {
                // Connections this process holds per source/destination pair, scaled to the whole run.
                long heldPerPair = Volatile.Read(ref stats.Alive) * plan.Share.Count / _pairs;
                string kind = ErrorKinds.ClassifyConnect(e, heldPerPair, _portRange);
                stats.ConnectFailure(kind);
                samples?.Write(Stopwatch.GetTimestamp(), slot.Global, Histograms.MicrosSince(started, Stopwatch.GetTimestamp()), "connect_" + kind);
            }
            slot.Ended = true;
            table.Remove(slot);
            Interlocked.Decrement(ref Running);
            return;
        }
        Interlocked.Decrement(ref PendingConnects);
        stats.Connected(started);
        slot.Connection = conn;
        if (plan.OpenModel)
        {
            slot.Pending = new Queue<long>();
            slot.Signal = new FiberSignal(slot.Loop);
        }
        table.MarkAlive(slot);
        try
        {
            if (slot.Closing) return;
            if (plan is { Scenario: ScenarioKind.Hold, Heartbeat: null })
            {
                // Idle hold, inline so it costs no Task: park in a read; stray bytes are read into the
                // loop's buffer and dropped.
                while (true)
                {
                    if (await conn.ReadAsync(slot.Loop.SharedBuffer) == 0) throw new PeerClosedException();
                }
            }
            await RunScenarioAsync(slot, conn);
        }
        catch (Exception e) when (plan.Scenario == ScenarioKind.NeverReading && !slot.Closing && !clock.Stopping
                                  && ErrorKinds.Classify(e) is ErrorKinds.Reset or ErrorKinds.Closed)
        {
            // Closing a client that never reads is a server's right: reported, not counted as an error.
            Interlocked.Increment(ref stats.ClosedByServer);
        }
        catch (Exception e) when (!slot.Closing && !clock.Stopping)
        {
            stats.Error(ErrorKinds.Classify(e));
            long lost = Volatile.Read(ref slot.InFlightSince) != 0 ? 1 : 0;
            Volatile.Write(ref slot.InFlightSince, 0);
            while (slot.Pending is { } pending && pending.TryDequeue(out _))
            {
                Interlocked.Decrement(ref slot.Queued);
                lost++;
            }
            if (lost > 0) stats.MessagesFailed(lost);
        }
        catch (Exception) { /* closed on purpose */ }
        finally
        {
            slot.Ended = true;
            if (plan.TracksFairness) stats.ConnectionEnded(slot.Progress);
            Interlocked.Decrement(ref stats.Alive);
            table.Remove(slot);
            conn.Reset();
            Interlocked.Decrement(ref Running);
        }
    }

    /// <summary>loop: a scheduled message for <paramref name="slot"/> (open model).</summary>
    public void Deliver(Slot slot, long scheduled)
    {
        if (slot.Ended || slot.Closing)
        {
            Interlocked.Decrement(ref slot.Queued);
            if (clock.Stopping) return; // counted as unfinished already
            stats.MessagesFailed(1);
            stats.Error("no_connection");
            return;
        }
        slot.Pending!.Enqueue(scheduled);
        slot.Signal!.Set();
    }
}
