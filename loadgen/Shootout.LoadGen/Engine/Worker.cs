using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

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
/// to follow the schedule at the connect rate, hands scheduled send times to connections in the open model,
/// times out stuck messages and cuts a <see cref="Tick"/> every second. Connections themselves are async
/// loops over <see cref="ClientConnection"/>.
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
    private readonly WorkerStats _stats = new();
    private readonly CancellationTokenSource _stopping = new();

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
        int mine = _share.ConnectionsOf(plan.Connections);
        _rateShare = plan.Connections == 0 ? 0 : (double)mine / plan.Connections;
        _connectRate = plan.ConnectRate / _share.Count;
    }

    public WorkerStats Stats => _stats;

    public async Task<Tick> RunAsync(Action<Tick> onTick, CancellationToken cancel)
    {
        _start = Stopwatch.GetTimestamp();
        var pacerDone = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            try { pacerDone.SetResult(Pace(onTick, cancel)); }
            catch (Exception e) { pacerDone.SetException(e); }
        }) { IsBackground = true, Name = "pacer" };
        pacer.Start();
        string reason = await pacerDone.Task.ConfigureAwait(false);
        _stopTimestamp = Stopwatch.GetTimestamp();

        _draining = true;
        if (reason == StopReasons.Completed)
            await DrainAsync(TimeSpan.FromSeconds(Math.Min(_plan.MessageTimeout.TotalSeconds, 5))).ConfigureAwait(false);

        _stopping.Cancel();
        long unfinished = 0;
        lock (_gate)
        {
            foreach (var slot in _active)
            {
                unfinished += Volatile.Read(ref slot.Queued) + (Volatile.Read(ref slot.InFlightSince) != 0 ? 1 : 0);
                slot.Close();
            }
        }
        if (unfinished > 0)
        {
            _stats.MessagesFailed(unfinished);
            _stats.Error("unfinished", unfinished);
        }
        var deadline = Stopwatch.GetTimestamp() + 5 * Freq;
        while (Volatile.Read(ref _runningSlots) > 0 && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(20).ConfigureAwait(false);

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
        long nextTick = _start + Freq, nextWatchdog = _start + Freq / 10;
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

            if (now >= nextWatchdog)
            {
                Watchdog(now);
                nextWatchdog = now + Freq / 10;
            }
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
        long global = _share.GlobalIndex(local);
        var slot = new Slot(global, _targets[global % _targets.Length]);
        if (_plan.OpenModel)
            slot.Queue = Channel.CreateUnbounded<long>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        lock (_gate)
        {
            slot.ActiveIndex = _active.Count;
            _active.Add(slot);
        }
        _occupied++;
        Interlocked.Increment(ref _pendingConnects);
        Interlocked.Increment(ref _runningSlots);
        _ = RunSlotAsync(slot);
    }

    private void CloseOne()
    {
        _occupied--;
        Slot? victim = null;
        lock (_gate)
            if (_active.Count > 0) victim = _active[^1];
        if (victim is null) return;
        Remove(victim);
        victim.Close();
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

    private async Task RunSlotAsync(Slot slot)
    {
        try
        {
            long started = Stopwatch.GetTimestamp();
            _stats.ConnectAttempt();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(_plan.ConnectTimeout);
                slot.Connection = await ClientConnection.ConnectAsync(slot.Target, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                Interlocked.Decrement(ref _pendingConnects);
                if (!slot.Closing && !_stopping.IsCancellationRequested) _stats.ConnectFailure(ErrorKinds.Classify(e));
                Remove(slot);
                return;
            }
            Interlocked.Decrement(ref _pendingConnects);
            _stats.Connected(started);
            lock (_gate)
            {
                slot.Alive = true;
                _aliveDirty = true;
            }
            try
            {
                if (slot.Closing) return;
                await RunConnectionAsync(slot).ConfigureAwait(false);
            }
            catch (Exception e) when (!slot.Closing && !_stopping.IsCancellationRequested)
            {
                _stats.Error(slot.TimedOut ? ErrorKinds.Timeout : ErrorKinds.Classify(e));
                long lost = Volatile.Read(ref slot.Queued) + (Volatile.Read(ref slot.InFlightSince) != 0 ? 1 : 0);
                Interlocked.Exchange(ref slot.Queued, 0);
                if (lost > 0) _stats.MessagesFailed(lost);
            }
            catch (Exception) { /* closed on purpose */ }
            finally
            {
                Interlocked.Decrement(ref _stats.Alive);
                Remove(slot);
                slot.Queue?.Writer.TryComplete();
                slot.Connection.Dispose();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _runningSlots);
        }
    }

    private Task RunConnectionAsync(Slot slot) => _plan switch
    {
        { Scenario: ScenarioKind.Hold, Heartbeat: null } => slot.Connection!.WaitForPeerCloseAsync(),
        { Scenario: ScenarioKind.Hold } => HeartbeatLoopAsync(slot),
        { Closed: true } => ClosedLoopAsync(slot),
        _ => OpenLoopAsync(slot),
    };

    private async Task OpenLoopAsync(Slot slot)
    {
        var reader = slot.Queue!.Reader;
        var conn = slot.Connection!;
        var tx = new byte[_plan.MessageSize];
        var rx = new byte[_plan.MessageSize];
        long seq = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out long scheduled))
            {
                Interlocked.Decrement(ref slot.Queued);
                await ExchangeAsync(slot, conn, tx, rx, seq++, scheduled).ConfigureAwait(false);
            }
        }
    }

    private async Task ClosedLoopAsync(Slot slot)
    {
        var conn = slot.Connection!;
        var tx = new byte[_plan.MessageSize];
        var rx = new byte[_plan.MessageSize];
        long seq = 0;
        var token = _stopping.Token;
        while (!slot.Closing && !token.IsCancellationRequested && !_draining)
        {
            if (!_measuring || _schedule.PausedAt((double)(Stopwatch.GetTimestamp() - _t0) / Freq))
            {
                await Task.Delay(5, token).ConfigureAwait(false);
                continue;
            }
            await ExchangeAsync(slot, conn, tx, rx, seq++, scheduled: 0).ConfigureAwait(false);
        }
    }

    private async Task HeartbeatLoopAsync(Slot slot)
    {
        var conn = slot.Connection!;
        var tx = new byte[_plan.MessageSize];
        var rx = new byte[_plan.MessageSize];
        long seq = 0;
        var period = _plan.Heartbeat!.Value;
        var token = _stopping.Token;
        // Spread the heartbeats of connections opened together over the whole period.
        await Task.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(Math.Max(1, period.Ticks))), token).ConfigureAwait(false);
        while (!slot.Closing && !token.IsCancellationRequested && !_draining)
        {
            await ExchangeAsync(slot, conn, tx, rx, seq++, scheduled: 0).ConfigureAwait(false);
            await Task.Delay(period, token).ConfigureAwait(false);
        }
    }

    /// <summary>Sends one message and reads its echo. Latency counts from <paramref name="scheduled"/> when
    /// given (open model: a late send is the server's delay too), else from the moment of sending.</summary>
    private async ValueTask ExchangeAsync(Slot slot, ClientConnection conn, byte[] tx, byte[] rx, long seq, long scheduled)
    {
        Fill(tx, slot.Global, seq);
        long sent = Stopwatch.GetTimestamp();
        Volatile.Write(ref slot.InFlightSince, sent);
        await conn.WriteAsync(tx).ConfigureAwait(false);
        await conn.ReadExactlyAsync(rx).ConfigureAwait(false);
        long now = Stopwatch.GetTimestamp();
        Volatile.Write(ref slot.InFlightSince, 0);
        if (!tx.AsSpan().SequenceEqual(rx))
        {
            _stats.Error(ErrorKinds.Mismatch);
            _stats.MessagesFailed(1);
            return;
        }
        _stats.MessageOk(Histograms.MicrosSince(scheduled != 0 ? scheduled : sent, now), tx.Length);
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
        if (!slot.Queue!.Writer.TryWrite(scheduledTimestamp))
        {
            Interlocked.Decrement(ref slot.Queued);
            _stats.MessagesFailed(1);
            _stats.Error("no_connection");
        }
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

    private void Watchdog(long now)
    {
        long limit = (long)(_plan.MessageTimeout.TotalSeconds * Freq);
        foreach (var slot in AliveSlots())
        {
            long since = Volatile.Read(ref slot.InFlightSince);
            if (since != 0 && now - since > limit && !slot.TimedOut)
            {
                slot.TimedOut = true;
                slot.Connection?.Abort();
            }
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
