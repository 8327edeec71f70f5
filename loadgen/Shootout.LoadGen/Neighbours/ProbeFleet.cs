using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using HdrHistogram;
using Shootout.Fibers;
using Shootout.LoadGen.Engine;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// The light clients: each sends a small message at a fixed interval and reads its echo. The probes run on
/// one event loop of their own, and a fiber of that loop keeps their clock (on the loop's microsecond timer
/// heap, as the echo scenario's <see cref="LoopSender"/>), handing each probe its scheduled send times
/// inline. Latency counts from the scheduled send time, so a
/// server that holds a probe back is charged for every message that waited behind it (no coordinated
/// omission); the service time (from the actual write) is kept beside it. A message never answered counts
/// too, with the time it had waited by the end (a lower bound), and as failed: every scheduled message is in
/// the latency histogram, so a starved probe shows in the percentiles, not only in the failure count.
/// </summary>
internal sealed class ProbeFleet : IAsyncDisposable
{
    private static readonly long Freq = Stopwatch.Frequency;

    private readonly NeighboursPlan _plan;
    private readonly EventLoopGroup _group;
    private readonly EventLoop _loop;
    private readonly Probe[] _probes;
    private readonly Recorder _latency = Histograms.CreateRecorder();
    private readonly Recorder _service = Histograms.CreateRecorder();
    private readonly ConcurrentDictionary<string, long> _errors = new();
    private volatile bool _pacing, _stopping;
    private long _scheduled, _ok, _failed;

    private sealed class Probe(int index)
    {
        public readonly int Index = index;
        public readonly Queue<long> Pending = new();
        public NetConnection? Connection;
        public FiberSignal? Signal;
        public long Seq;

        /// <summary>loop: the scheduled time of the message on the wire (0: none).</summary>
        public long InFlight;
        public bool Dead;
        public byte[] Tx = [], Rx = [];
    }

    public ProbeFleet(NeighboursPlan plan)
    {
        _plan = plan;
        _group = ClientLoops.Create(1, plan.Probes, _ => Error(ErrorKinds.Other));
        _loop = _group.Loops[0];
        _probes = Enumerable.Range(0, plan.Probes).Select(i => new Probe(i)).ToArray();
    }

    public long Scheduled => Interlocked.Read(ref _scheduled);
    public long Ok => Interlocked.Read(ref _ok);
    public long Failed => Interlocked.Read(ref _failed);
    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Opens every probe connection and starts its fiber; returns the first failure as "kind: target", or null.</summary>
    public async Task<string?> ConnectAsync()
    {
        string? failure = null;
        await _loop.Spawn(async () =>
        {
            foreach (var p in _probes)
            {
                var target = IPEndPoint.Parse(_plan.Targets[p.Index % _plan.Targets.Count]);
                try { p.Connection = await _loop.ConnectAsync(target, timeout: _plan.ConnectTimeout); }
                catch (Exception e)
                {
                    failure ??= $"{ErrorKinds.Classify(e)}: {target}";
                    continue;
                }
                p.Signal = new FiberSignal(_loop);
                p.Tx = new byte[_plan.ProbeSize];
                p.Rx = new byte[_plan.ProbeSize];
                _ = RunAsync(p);
            }
        }).ConfigureAwait(false);
        return failure;
    }

    /// <summary>Starts the probes' clock: probe k sends at k/P of the interval and every interval after.</summary>
    public void Start()
    {
        _pacing = true;
        _loop.Post(() => _ = PaceAsync());
    }

    /// <summary>Latency (from the scheduled send) and service time recorded since the last call.</summary>
    public (HistogramBase Latency, HistogramBase Service) CutInterval() =>
        (_latency.GetIntervalHistogram(), _service.GetIntervalHistogram());

    /// <summary>Stops scheduling, waits up to <paramref name="grace"/> for the echoes still due from live
    /// probes, then counts every message never answered as failed ("unanswered"), its latency the time it
    /// waited until now.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        _pacing = false;
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < grace && Scheduled - Ok - Failed > 0 && _probes.Any(p => !p.Dead))
            await Task.Delay(10).ConfigureAwait(false);
        await _loop.Spawn(() =>
        {
            // On the loop, so no fiber runs meanwhile; once _stopping is set, an echo arriving later is not counted.
            _stopping = true;
            long now = Stopwatch.GetTimestamp(), unanswered = 0;
            foreach (var p in _probes)
            {
                if (p.InFlight != 0) p.Pending.Enqueue(p.InFlight);
                p.InFlight = 0;
                while (p.Pending.TryDequeue(out long scheduled))
                {
                    _latency.RecordValue(Histograms.Clamp(Histograms.MicrosSince(scheduled, now)));
                    unanswered++;
                }
            }
            if (unanswered > 0)
            {
                Interlocked.Add(ref _failed, unanswered);
                Error("unanswered", unanswered);
            }
            return Task.CompletedTask;
        }).ConfigureAwait(false);
    }

    /// <summary>loop: the probes' clock, until <see cref="StopAsync"/>. Sleeps until the next send is due.</summary>
    private async Fiber PaceAsync()
    {
        long t0 = Stopwatch.GetTimestamp();
        double step = _plan.ProbeInterval.TotalSeconds * Freq / _probes.Length;
        long m = 0;
        try
        {
            while (_pacing && !_stopping)
            {
                long now = Stopwatch.GetTimestamp();
                long due;
                while ((due = t0 + (long)(m * step)) <= now)
                {
                    Interlocked.Increment(ref _scheduled);
                    Deliver(_probes[m % _probes.Length], due);
                    m++;
                }
                await _loop.DelayUntil(due);
            }
        }
        catch (Exception) when (_stopping)
        {
            // The loop stops: the sleep was aborted.
        }
    }

    /// <summary>loop: one scheduled send for <paramref name="p"/> (a dead probe keeps it, unanswered, for the end's count).</summary>
    private void Deliver(Probe p, long scheduled)
    {
        if (_stopping) return;
        p.Pending.Enqueue(scheduled);
        if (!p.Dead) p.Signal?.Set();
    }

    /// <summary>One probe's fiber: its scheduled sends one after another, each answered before the next goes.</summary>
    private async Fiber RunAsync(Probe p)
    {
        var conn = p.Connection!;
        try
        {
            while (!_stopping)
            {
                if (!p.Pending.TryDequeue(out long scheduled))
                {
                    await p.Signal!.WaitAsync();
                    continue;
                }
                MessageExchange.Fill(p.Tx, p.Index, p.Seq++);
                long sent = Stopwatch.GetTimestamp();
                p.InFlight = scheduled;
                conn.SetDeadline(_plan.MessageTimeout);
                await conn.WriteAsync(p.Tx);
                await ClientIo.ReadExactlyAsync(conn, p.Rx);
                long now = Stopwatch.GetTimestamp();
                if (_stopping) return; // counted as unanswered already
                p.InFlight = 0;
                if (!p.Tx.AsSpan().SequenceEqual(p.Rx))
                {
                    _latency.RecordValue(Histograms.Clamp(Histograms.MicrosSince(scheduled, now)));
                    Interlocked.Increment(ref _failed);
                    Error(ErrorKinds.Mismatch);
                    continue;
                }
                _latency.RecordValue(Histograms.Clamp(Histograms.MicrosSince(scheduled, now)));
                _service.RecordValue(Histograms.Clamp(Histograms.MicrosSince(sent, now)));
                Interlocked.Increment(ref _ok);
            }
        }
        catch (Exception e) when (!_stopping)
        {
            // A timed-out or broken probe cannot tell a late echo from the next one: it ends; its message on
            // the wire and those still due stay queued and count as unanswered at the end.
            p.Dead = true;
            Error(ErrorKinds.Classify(e));
            conn.Reset();
        }
        catch (Exception) { /* closed on purpose */ }
    }

    private void Error(string kind, long n = 1) => _errors.AddOrUpdate(kind, n, (_, v) => v + n);

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        _pacing = false;
        try { _loop.Post(() => { foreach (var p in _probes) { p.Connection?.Reset(); p.Signal?.Set(); } }); }
        catch (InvalidOperationException) { /* loop already stopped */ }
        await _group.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }
}
