using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>Why a worker stopped; the coordinator turns it into the exit code and the one-line message.</summary>
internal static class StopReasons
{
    public const string Completed = "completed";
    public const string Interrupted = "interrupted";
    public const string AllFailed = "all_failed";
    public const string AllLost = "all_lost";
}

/// <summary>
/// Runs this process's share of a plan. One pacer thread owns the clock: it opens and closes connections
/// to follow the schedule at the connect rate, hands scheduled send times to connections in the open model
/// and cuts a <see cref="Tick"/> every second. Connections are fibers on the netpoller's event loops
/// (<see cref="ClientLoops"/>): the pacer hands them work in batches posted to their loop, and they await
/// only netpoll operations, the loop's timer heap and <see cref="FiberSignal"/>. Message timeouts are
/// connection deadlines, checked by each loop's scan: no timer, task or buffer per idle connection.
/// </summary>
internal sealed class Worker
{
    private const int MaxPendingConnects = 4096;
    private static readonly long Freq = Stopwatch.Frequency;

    private readonly LoadPlan _plan;
    private readonly Share _share;
    private readonly Schedule _schedule;
    private readonly IPEndPoint[] _targets;
    private readonly double _rateShare;
    private readonly double _connectRate;
    private readonly int _mine;
    private readonly WorkerStats _stats = new();
    private readonly CancellationTokenSource _stopping = new();
    private EventLoopGroup _group = null!;
    private List<Slot>[] _starts = [];
    private List<(Slot Slot, long Scheduled)>[] _dispatches = [];

    private readonly object _gate = new();
    private readonly List<Slot> _active = new();
    private Slot[] _aliveSnapshot = [];
    private bool _aliveDirty;

    private int _nextLocal;
    private int _occupied;
    private int _pendingConnects;
    private int _runningSlots;
    private volatile bool _measuring;
    private volatile bool _draining;
    private long _t0;
    private long _stopTimestamp;
    private long _rr;

    // Tick bookkeeping (pacer thread, then the final tick).
    private int _seq;
    private readonly long[] _last = new long[8];
    private readonly Dictionary<string, long> _lastErrors = new();
    private long _start;

    public Worker(LoadPlan plan)
    {
        _plan = plan;
        _share = plan.Share;
        _schedule = new Schedule(plan);
        _targets = plan.Targets.Select(IPEndPoint.Parse).ToArray();
        _mine = _share.ConnectionsOf(plan.Connections);
        _rateShare = plan.Connections == 0 ? 0 : (double)_mine / plan.Connections;
        _connectRate = plan.ConnectRate / _share.Count;
        // First uses that may open a descriptor happen here, not on a loop thread (see NetpollOptions).
        _ = Random.Shared.Next();
        _ = Console.Error;
    }

    public WorkerStats Stats => _stats;

    /// <summary>Event loops this worker runs (known once <see cref="RunAsync"/> started).</summary>
    public int LoopCount => _group?.Loops.Count ?? 0;

    public async Task<Tick> RunAsync(Action<Tick> onTick, CancellationToken cancel)
    {
        int loops = ClientLoops.LoopsFor(_plan, _mine);
        _group = ClientLoops.Create(loops, _mine, e => _stats.Error(ErrorKinds.Other));
        _starts = Enumerable.Range(0, loops).Select(_ => new List<Slot>()).ToArray();
        _dispatches = Enumerable.Range(0, loops).Select(_ => new List<(Slot, long)>()).ToArray();
        try
        {
            return await RunOnLoopsAsync(onTick, cancel).ConfigureAwait(false);
        }
        finally
        {
            await _group.StopAsync().ConfigureAwait(false);
        }
    }

    private async Task<Tick> RunOnLoopsAsync(Action<Tick> onTick, CancellationToken cancel)
    {
        _start = Stopwatch.GetTimestamp();
        var pacerDone = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            try { pacerDone.SetResult(Pace(onTick, cancel)); }
            catch (Exception e) { pacerDone.SetException(e); }
        })
        { IsBackground = true, Name = "pacer" };
        pacer.Start();
        string reason = await pacerDone.Task.ConfigureAwait(false);
        _stopTimestamp = Stopwatch.GetTimestamp();

        _draining = true;
        if (reason == StopReasons.Completed)
            await DrainAsync(TimeSpan.FromSeconds(Math.Min(_plan.MessageTimeout.TotalSeconds, 5))).ConfigureAwait(false);

        _stopping.Cancel();
        long unfinished = 0;
        var byLoop = new Dictionary<EventLoop, List<Slot>>();
        lock (_gate)
        {
            foreach (var slot in _active)
            {
                unfinished += Volatile.Read(ref slot.Queued) + (Volatile.Read(ref slot.InFlightSince) != 0 ? 1 : 0);
                slot.Closing = true;
                if (!byLoop.TryGetValue(slot.Loop, out var list)) byLoop[slot.Loop] = list = new List<Slot>();
                list.Add(slot);
            }
        }
        if (unfinished > 0)
        {
            _stats.MessagesFailed(unfinished);
            _stats.Error("unfinished", unfinished);
        }
        // Close on each loop (resets, wakes waiting fibers), then stop the loops: whatever still sleeps or
        // waits is aborted and unwinds, so every fiber has ended when StopAsync returns.
        foreach (var (loop, slots) in byLoop)
            loop.Post(() => { foreach (var s in slots) s.CloseOnLoop(); });
        await _group.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);

        var final = CutTick();
        final.Final = true;
        final.StopReason = reason;
        final.MeasuredSeconds = _measuring ? (double)(_stopTimestamp - _t0) / Freq : 0;
        long first = Volatile.Read(ref _stats.FirstConnectTimestamp), last = Volatile.Read(ref _stats.LastConnectTimestamp);
        final.FirstConnectSeconds = first == 0 ? -1 : (double)(first - _start) / Freq;
        final.LastConnectSeconds = last == 0 ? -1 : (double)(last - _start) / Freq;
        onTick(final);
        return final;
    }

    private string Pace(Action<Tick> onTick, CancellationToken cancel)
    {
        Pacing.TightenTimerSlack();
        long now = _start, last = _start;
        long nextTick = _start + Freq;
        double connectTokens = 1, dueCarry = 0, lastDispatchT = 0;
        double connectBurst = Math.Max(1, _connectRate / 100);
        int initial = _share.ConnectionsOf((long)_schedule.InitialConnections);
        bool preconnect = _plan.Scenario == ScenarioKind.Echo && initial > 0;
        if (!preconnect) StartMeasuring(_start);

        while (true)
        {
            now = Stopwatch.GetTimestamp();
            double dt = (double)(now - last) / Freq;
            last = now;
            if (cancel.IsCancellationRequested) return StopReasons.Interrupted;
            double t = _measuring ? (double)(now - _t0) / Freq : 0;
            if (_measuring && t >= _schedule.DurationSeconds) return StopReasons.Completed;

            int target = _measuring ? _share.ConnectionsOf((long)_schedule.ConnectionTarget(t)) : initial;
            connectTokens = Math.Min(connectTokens + _connectRate * dt, connectBurst);
            while (_occupied < target && connectTokens >= 1 && Volatile.Read(ref _pendingConnects) < MaxPendingConnects)
            {
                StartSlot();
                connectTokens -= 1;
            }
            while (_occupied > target) CloseOne();

            if (!_measuring && _occupied >= target && Volatile.Read(ref _pendingConnects) == 0)
            {
                StartMeasuring(now);
                t = 0;
            }

            long sleepMicros = _occupied < target ? 1000 : 5000;
            if (_measuring && _plan.OpenModel)
            {
                double rate = _schedule.RateAt(t) * _rateShare;
                if (rate > 0)
                {
                    double due = dueCarry + rate * (t - lastDispatchT);
                    long n = (long)Math.Floor(due);
                    for (long i = 1; i <= n; i++)
                    {
                        double at = lastDispatchT + (i - dueCarry) / rate;
                        Dispatch(_t0 + (long)(at * Freq));
                    }
                    dueCarry = due - n;
                    double untilNext = (1 - dueCarry) / rate;
                    sleepMicros = Math.Clamp((long)(untilNext * 1e6), 20, 1000);
                }
                else sleepMicros = 1000;
                lastDispatchT = t;
            }
            Flush();

            if (now >= nextTick)
            {
                onTick(CutTick());
                nextTick += Freq;
            }
            if (AllGone(target))
                return Volatile.Read(ref _stats.Established) == 0 ? StopReasons.AllFailed : StopReasons.AllLost;

            Pacing.SleepMicros(sleepMicros);
        }
    }

    private void StartMeasuring(long now)
    {
        _t0 = now;
        _measuring = true;
    }

    private bool AllGone(int target) =>
        target > 0 && _occupied >= target && Volatile.Read(ref _pendingConnects) == 0
        && Volatile.Read(ref _stats.Alive) == 0 && Volatile.Read(ref _stats.Attempts) > 0
        && Volatile.Read(ref _runningSlots) == 0;

    private void StartSlot()
    {
        int local = _nextLocal++;
        int loop = local % _starts.Length;
        var slot = new Slot(_share.GlobalIndex(local), _group.Loops[loop]);
        lock (_gate)
        {
            slot.ActiveIndex = _active.Count;
            _active.Add(slot);
        }
        _occupied++;
        Interlocked.Increment(ref _pendingConnects);
        Interlocked.Increment(ref _runningSlots);
        _starts[loop].Add(slot);
    }

    /// <summary>Hands this pacer turn's new connections and messages to their loops: one post per loop.</summary>
    private void Flush()
    {
        for (int i = 0; i < _starts.Length; i++)
        {
            EventLoop loop = _group.Loops[i];
            if (_starts[i].Count > 0)
            {
                var batch = _starts[i];
                _starts[i] = new List<Slot>();
                loop.Post(() => { foreach (var s in batch) _ = RunSlotAsync(s); });
            }
            if (_dispatches[i].Count > 0)
            {
                var batch = _dispatches[i];
                _dispatches[i] = new List<(Slot, long)>();
                loop.Post(() => { foreach (var (s, at) in batch) Deliver(s, at); });
            }
        }
    }

    private void CloseOne()
    {
        _occupied--;
        Slot? victim = null;
        lock (_gate)
            if (_active.Count > 0) victim = _active[^1];
        if (victim is null) return;
        Remove(victim);
        victim.Closing = true;
        victim.Loop.Post(victim.CloseOnLoop);
    }

    private void Remove(Slot slot)
    {
        lock (_gate)
        {
            int i = slot.ActiveIndex;
            if (i < 0) return;
            var moved = _active[^1];
            _active[i] = moved;
            moved.ActiveIndex = i;
            _active.RemoveAt(_active.Count - 1);
            slot.ActiveIndex = -1;
            if (slot.Alive) _aliveDirty = true;
        }
    }

    /// <summary>The fiber of one connection, on its loop: connect, then the scenario until closed or failed.
    /// An idle held connection is this fiber parked in one read of the loop's shared buffer: a
    /// <see cref="Fiber"/>, so that costs its state machine and no Task.</summary>
    private async Fiber RunSlotAsync(Slot slot)
    {
        NetConnection conn;
        long started = Stopwatch.GetTimestamp();
        _stats.ConnectAttempt();
        try
        {
            if (slot.Closing) throw new OperationCanceledException();
            conn = await slot.Loop.ConnectAsync(_targets[slot.Global % _targets.Length], timeout: _plan.ConnectTimeout);
        }
        catch (Exception e)
        {
            Interlocked.Decrement(ref _pendingConnects);
            if (!slot.Closing && !_stopping.IsCancellationRequested) _stats.ConnectFailure(ErrorKinds.Classify(e));
            slot.Ended = true;
            Remove(slot);
            Interlocked.Decrement(ref _runningSlots);
            return;
        }
        Interlocked.Decrement(ref _pendingConnects);
        _stats.Connected(started);
        slot.Connection = conn;
        if (_plan.OpenModel)
        {
            slot.Pending = new Queue<long>();
            slot.Signal = new FiberSignal(slot.Loop);
        }
        lock (_gate)
        {
            slot.Alive = true;
            _aliveDirty = true;
        }
        try
        {
            if (slot.Closing) return;
            if (_plan is { Scenario: ScenarioKind.Hold, Heartbeat: null })
            {
                // Idle hold: park in a read; stray bytes are read into the loop's buffer and dropped.
                while (true)
                {
                    if (await conn.ReadAsync(slot.Loop.SharedBuffer) == 0) throw new PeerClosedException();
                }
            }
            await RunConnectionAsync(slot, conn);
        }
        catch (Exception e) when (!slot.Closing && !_stopping.IsCancellationRequested)
        {
            _stats.Error(ErrorKinds.Classify(e));
            long lost = Volatile.Read(ref slot.InFlightSince) != 0 ? 1 : 0;
            Volatile.Write(ref slot.InFlightSince, 0);
            while (slot.Pending is { } pending && pending.TryDequeue(out _))
            {
                Interlocked.Decrement(ref slot.Queued);
                lost++;
            }
            if (lost > 0) _stats.MessagesFailed(lost);
        }
        catch (Exception) { /* closed on purpose */ }
        finally
        {
            slot.Ended = true;
            Interlocked.Decrement(ref _stats.Alive);
            Remove(slot);
            conn.Reset();
            Interlocked.Decrement(ref _runningSlots);
        }
    }

    private Task RunConnectionAsync(Slot slot, NetConnection conn) => _plan switch
    {
        { Scenario: ScenarioKind.Hold } => HeartbeatLoopAsync(slot, conn),
        { Closed: true } => ClosedLoopAsync(slot, conn),
        _ => OpenLoopAsync(slot, conn),
    };

    private async Task OpenLoopAsync(Slot slot, NetConnection conn)
    {
        long seq = 0;
        while (!slot.Closing)
        {
            if (slot.Pending!.TryDequeue(out long scheduled))
            {
                Interlocked.Decrement(ref slot.Queued);
                await ExchangeAsync(slot, conn, seq++, scheduled);
            }
            else
            {
                await slot.Signal!.WaitAsync();
            }
        }
    }

    /// <summary>loop: a scheduled message for <paramref name="slot"/> (open model).</summary>
    private void Deliver(Slot slot, long scheduled)
    {
        if (slot.Ended || slot.Closing)
        {
            Interlocked.Decrement(ref slot.Queued);
            if (_stopping.IsCancellationRequested) return; // counted as unfinished already
            _stats.MessagesFailed(1);
            _stats.Error("no_connection");
            return;
        }
        slot.Pending!.Enqueue(scheduled);
        slot.Signal!.Set();
    }

    private async Task ClosedLoopAsync(Slot slot, NetConnection conn)
    {
        long seq = 0;
        while (!slot.Closing && !_stopping.IsCancellationRequested && !_draining)
        {
            if (!_measuring || _schedule.PausedAt((double)(Stopwatch.GetTimestamp() - _t0) / Freq))
            {
                await slot.Loop.Delay(TimeSpan.FromMilliseconds(5));
                continue;
            }
            await ExchangeAsync(slot, conn, seq++, scheduled: 0);
        }
    }

    private async Task HeartbeatLoopAsync(Slot slot, NetConnection conn)
    {
        long seq = 0;
        var period = _plan.Heartbeat!.Value;
        // Spread the heartbeats of connections opened together over the whole period.
        await slot.Loop.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, period.Ticks))));
        while (!slot.Closing && !_stopping.IsCancellationRequested && !_draining)
        {
            await ExchangeAsync(slot, conn, seq++, scheduled: 0);
            await slot.Loop.Delay(period);
        }
    }

    /// <summary>Sends one message and reads its echo, under the message timeout (a connection deadline).
    /// Latency counts from <paramref name="scheduled"/> when given (open model: a late send is the server's
    /// delay too), else from the moment of sending. Buffers are pooled for the exchange only.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ExchangeAsync(Slot slot, NetConnection conn, long seq, long scheduled)
    {
        int size = _plan.MessageSize;
        byte[] tx = ArrayPool<byte>.Shared.Rent(size), rx = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Fill(tx.AsSpan(0, size), slot.Global, seq);
            long sent = Stopwatch.GetTimestamp();
            Volatile.Write(ref slot.InFlightSince, sent);
            conn.SetDeadline(_plan.MessageTimeout);
            await conn.WriteAsync(tx.AsMemory(0, size));
            await ClientIo.ReadExactlyAsync(conn, rx.AsMemory(0, size));
            conn.SetDeadline(null);
            long now = Stopwatch.GetTimestamp();
            Volatile.Write(ref slot.InFlightSince, 0);
            if (!tx.AsSpan(0, size).SequenceEqual(rx.AsSpan(0, size)))
            {
                _stats.Error(ErrorKinds.Mismatch);
                _stats.MessagesFailed(1);
                return;
            }
            _stats.MessageOk(Histograms.MicrosSince(scheduled != 0 ? scheduled : sent, now), size);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tx);
            ArrayPool<byte>.Shared.Return(rx);
        }
    }

    /// <summary>Message bytes that differ per connection and per message, so a crossed or stale echo shows.</summary>
    internal static void Fill(Span<byte> buffer, long connection, long seq)
    {
        ulong x = (ulong)connection * 0x9E3779B97F4A7C15UL ^ (ulong)(seq + 1) * 0xBF58476D1CE4E5B9UL;
        for (int i = 0; i < buffer.Length; i++)
        {
            if ((i & 7) == 0) x = x * 6364136223846793005UL + 1442695040888963407UL;
            buffer[i] = (byte)(x >> ((i & 7) * 8));
        }
    }

    private void Dispatch(long scheduledTimestamp)
    {
        var alive = AliveSlots();
        if (alive.Length == 0)
        {
            _stats.MessagesFailed(1);
            _stats.Error("no_connection");
            return;
        }
        var slot = alive[_rr++ % alive.Length];
        Interlocked.Increment(ref slot.Queued);
        _dispatches[slot.Loop.Id].Add((slot, scheduledTimestamp));
    }

    private Slot[] AliveSlots()
    {
        lock (_gate)
        {
            if (_aliveDirty)
            {
                _aliveSnapshot = _active.Where(s => s.Alive).ToArray();
                _aliveDirty = false;
            }
            return _aliveSnapshot;
        }
    }

    private async Task DrainAsync(TimeSpan grace)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * Freq);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            bool busy = AliveSlots().Any(s => Volatile.Read(ref s.Queued) > 0 || Volatile.Read(ref s.InFlightSince) != 0);
            if (!busy) return;
            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    private Tick CutTick()
    {
        long[] now =
        [
            Volatile.Read(ref _stats.Attempts), Volatile.Read(ref _stats.Established), Volatile.Read(ref _stats.ConnectFailed),
            Volatile.Read(ref _stats.Ok), Volatile.Read(ref _stats.Failed), Volatile.Read(ref _stats.BytesSent),
            Volatile.Read(ref _stats.BytesReceived), 0,
        ];
        var errors = new Dictionary<string, long>();
        foreach (var (kind, count) in _stats.Errors)
        {
            long delta = count - _lastErrors.GetValueOrDefault(kind);
            if (delta != 0) errors[kind] = delta;
            _lastErrors[kind] = count;
        }
        var tick = new Tick
        {
            Seq = _seq++,
            Elapsed = (double)(Stopwatch.GetTimestamp() - _start) / Freq,
            Alive = Math.Max(0, Volatile.Read(ref _stats.Alive)),
            Attempts = now[0] - _last[0],
            Established = now[1] - _last[1],
            ConnectFailed = now[2] - _last[2],
            Ok = now[3] - _last[3],
            Failed = now[4] - _last[4],
            BytesSent = now[5] - _last[5],
            BytesReceived = now[6] - _last[6],
            Errors = errors,
            Latency = _stats.Latency.GetIntervalHistogram(),
            Connect = _stats.Connect.GetIntervalHistogram(),
        };
        Array.Copy(now, _last, now.Length);
        return tick;
    }
}
