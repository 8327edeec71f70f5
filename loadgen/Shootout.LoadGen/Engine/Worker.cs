using System.Diagnostics;
using System.Net;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// Runs this process's share of a plan. One pacer thread owns the run: it opens and closes connections
/// to follow the schedule at the connect rate (<see cref="ConnectTokens"/>), starts the measured clock and
/// cuts a <see cref="Tick"/> every second (<see cref="TickCutter"/>). Connections are fibers on the
/// netpoller's event loops (<see cref="ClientLoops"/>, <see cref="ConnectionRunner"/>): the pacer hands new
/// ones to their loop in batches (<see cref="LoopBatches"/>). In the open model each loop keeps its share of
/// the send schedule itself (<see cref="LoopSender"/>, on its microsecond timer heap), so a scheduled send
/// crosses no thread. Fibers await only netpoll operations, the loop's timer heap and <see cref="FiberSignal"/>.
/// Message timeouts are connection deadlines, checked by each loop's scan: no timer, task or buffer per idle
/// connection.
/// </summary>
internal sealed class Worker
{
    private const int MaxPendingConnects = 4096;

    private readonly LoadPlan _plan;
    private readonly Share _share;
    private readonly Schedule _schedule;
    private readonly IPEndPoint[] _targets;
    private readonly IPEndPoint[] _sources;
    private readonly int _mine;
    private readonly WorkerStats _stats;
    private readonly RunClock _clock = new();
    private readonly ActiveSlots _table = new();
    private TickCutter _ticks = null!;
    private EventLoopGroup _group = null!;
    private ConnectionRunner _runner = null!;
    private LoopBatches _batches = null!;
    private SampleLog? _samples;
    private int _nextLocal;
    private int _occupied;

    private readonly int _scenario;
    private readonly bool _ownsLoops;

    /// <summary>A worker for <paramref name="plan"/>; with <paramref name="loops"/>, one scenario of several on
    /// event loops they share (<see cref="ScenarioSet"/>), its ticks marked with <paramref name="scenario"/>.</summary>
    public Worker(LoadPlan plan, int scenario = 0, EventLoopGroup? loops = null)
    {
        _plan = plan;
        _scenario = scenario;
        _ownsLoops = loops is null;
        if (loops is not null) _group = loops;
        _share = plan.Share;
        _schedule = new Schedule(plan);
        _targets = plan.Targets.Select(IPEndPoint.Parse).ToArray();
        _sources = plan.SourceAddresses.Select(a => new IPEndPoint(IPAddress.Parse(a), 0)).ToArray();
        _mine = plan.ShareConnections;
        _stats = new WorkerStats(plan.Phases.Count);
        // First uses that may open a descriptor happen here, not on a loop thread (see NetpollOptions).
        _ = Random.Shared.Next();
        _ = Console.Error;
    }

    public WorkerStats Stats => _stats;

    /// <summary>Event loops this worker runs (known once <see cref="RunAsync"/> started).</summary>
    public int LoopCount => _group?.Loops.Count ?? 0;

    public async Task<Tick> RunAsync(Action<Tick> onTick, CancellationToken cancel)
    {
        if (_ownsLoops) _group = ClientLoops.Create(ClientLoops.LoopsFor(_plan, _mine), _mine, e => _stats.Error(ErrorKinds.Other));
        int loops = _group.Loops.Count;
        _samples = _plan.Samples is { } path ? new SampleLog(path, _plan.SamplesLimit) : null;
        _runner = new ConnectionRunner(_plan, _schedule, _stats, _clock, _table, _targets, _sources, _samples);
        _batches = new LoopBatches(_group, _runner);
        if (_plan.OpenModel)
        {
            foreach (var loop in _group.Loops)
            {
                var sender = new LoopSender(loop, loops, _plan, _schedule, _clock, _table, _runner, _stats);
                loop.Post(() => _ = sender.RunAsync());
            }
        }
        _ticks = new TickCutter(_stats, _clock, loops, _scenario);
        try
        {
            return await RunOnLoopsAsync(onTick, cancel).ConfigureAwait(false);
        }
        finally
        {
            if (_ownsLoops) await _group.StopAsync().ConfigureAwait(false);
            if (_samples is not null) await _samples.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Tick> RunOnLoopsAsync(Action<Tick> onTick, CancellationToken cancel)
    {
        _clock.Begin();
        var pacerDone = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pacer = new Thread(() =>
        {
            if (_plan.Nice != 0) ThreadPriority.TrySetCurrentThread(_plan.Nice);
            try { pacerDone.SetResult(Pace(onTick, cancel)); }
            catch (Exception e) { pacerDone.SetException(e); }
        })
        { IsBackground = true, Name = TickCutter.PacerName(_scenario) };
        pacer.Start();
        string reason = await pacerDone.Task.ConfigureAwait(false);
        long stopped = Stopwatch.GetTimestamp();

        _clock.Drain();
        if (reason == StopReasons.Completed)
            await DrainAsync(TimeSpan.FromSeconds(Math.Min(_plan.MessageTimeout.TotalSeconds, 5))).ConfigureAwait(false);

        _clock.Stop();
        var (byLoop, unfinished) = _table.CloseAll();
        if (unfinished > 0)
        {
            _stats.MessagesFailed(unfinished);
            _stats.Error("unfinished", unfinished);
        }
        // Close on each loop (resets, wakes waiting fibers), then stop the loops: whatever still sleeps or
        // waits is aborted and unwinds, so every fiber has ended when StopAsync returns.
        foreach (var (loop, slots) in byLoop)
            loop.Post(() => { foreach (var s in slots) s.CloseOnLoop(); });
        await EndFibersAsync().ConfigureAwait(false);

        if (_samples is not null) await _samples.DisposeAsync().ConfigureAwait(false);
        var final = _ticks.Cut();
        final.SamplesWritten = _samples?.Written ?? 0;
        final.SamplesDropped = _samples?.Dropped ?? 0;
        final.Final = true;
        final.StopReason = reason;
        final.MeasuredSeconds = _clock.Seconds(stopped);
        long first = Volatile.Read(ref _stats.FirstConnectTimestamp), last = Volatile.Read(ref _stats.LastConnectTimestamp);
        final.FirstConnectSeconds = first == 0 ? -1 : _clock.SecondsSinceStart(first);
        final.LastConnectSeconds = last == 0 ? -1 : _clock.SecondsSinceStart(last);
        final.PhaseOk = _stats.PhaseOk.ToArray();
        final.PhaseDue = _stats.PhaseDue.ToArray();
        final.ConnectionProgress = _stats.ConnectionProgress();
        onTick(final);
        return final;
    }

    /// <summary>The pacer thread: one turn every millisecond while connections open, else every 5 ms, until
    /// the plan ends. It keeps no send times: the loops do (<see cref="LoopSender"/>).</summary>
    private string Pace(Action<Tick> onTick, CancellationToken cancel)
    {
        long last = _clock.Start;
        long nextTick = _clock.Start + RunClock.Frequency;
        var connects = new ConnectTokens(_plan.ConnectRate / _share.Count);
        int initial = _share.ConnectionsOf((long)_schedule.InitialConnections);
        bool preconnect = _plan.Scenario == ScenarioKind.Echo && initial > 0;
        if (!preconnect) _clock.StartMeasuring(_clock.Start);

        while (true)
        {
            long now = Stopwatch.GetTimestamp();
            connects.Accrue((double)(now - last) / RunClock.Frequency);
            last = now;
            if (cancel.IsCancellationRequested) return StopReasons.Interrupted;
            double t = _clock.Seconds(now);
            if (_clock.Measuring && t >= _schedule.DurationSeconds) return StopReasons.Completed;

            int target = _clock.Measuring ? _share.ConnectionsOf((long)_schedule.ConnectionTarget(t)) : initial;
            while (_occupied < target && Volatile.Read(ref _runner.PendingConnects) < MaxPendingConnects && connects.TryTake())
                StartSlot();
            while (_occupied > target) CloseOne();

            if (!_clock.Measuring && _occupied >= target && Volatile.Read(ref _runner.PendingConnects) == 0)
            {
                _clock.StartMeasuring(now);
                t = 0;
            }

            long sleepMicros = _occupied < target ? 1000 : 5000;
            _batches.Flush();

            if (now >= nextTick)
            {
                var tick = _ticks.Cut();
                if (_plan.TracksFairness && _mine <= Tick.LiveProgressLimit)
                    tick.LiveProgress = _table.Alive().ToDictionary(s => s.Global, s => Volatile.Read(ref s.Progress));
                onTick(tick);
                nextTick += RunClock.Frequency;
            }
            if (AllGone(target))
                return Volatile.Read(ref _stats.Established) == 0 ? StopReasons.AllFailed : StopReasons.AllLost;

            Pacing.SleepMicros(sleepMicros);
        }
    }

    /// <summary>Every connection failed or was lost; never-reading ones the server closed are its right, not a loss (the run goes on).</summary>
    private bool AllGone(int target) =>
        target > 0 && _occupied >= target && Volatile.Read(ref _runner.PendingConnects) == 0
        && Volatile.Read(ref _stats.Alive) == 0 && Volatile.Read(ref _stats.Attempts) > 0
        && Volatile.Read(ref _runner.Running) == 0
        && Volatile.Read(ref _stats.ClosedByServer) < Volatile.Read(ref _stats.Established);

    private void StartSlot()
    {
        int local = _nextLocal++;
        int loop = local % _batches.Count;
        var slot = new Slot(_share.GlobalIndex(local), _group.Loops[loop]);
        _table.Add(slot);
        _occupied++;
        _runner.Starting();
        _batches.Start(loop, slot);
    }

    private void CloseOne()
    {
        _occupied--;
        if (_table.TakeNewest() is not { } victim) return;
        victim.Closing = true;
        victim.Loop.Post(victim.CloseOnLoop);
    }

    /// <summary>Every fiber of this worker has ended when this returns: its own loops are stopped (whatever still
    /// sleeps or waits is aborted and unwinds); loops shared with other scenarios go on, so it waits for its
    /// connection fibers instead.</summary>
    private async Task EndFibersAsync()
    {
        if (_ownsLoops)
        {
            await _group.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return;
        }
        var deadline = Stopwatch.GetTimestamp() + 10 * RunClock.Frequency;
        while (Volatile.Read(ref _runner.Running) > 0 && Stopwatch.GetTimestamp() < deadline)
            await Task.Delay(5).ConfigureAwait(false);
    }

    private async Task DrainAsync(TimeSpan grace)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(grace.TotalSeconds * RunClock.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            bool busy = _table.Alive().Any(s => Volatile.Read(ref s.Queued) > 0 || Volatile.Read(ref s.InFlightSince) != 0);
            if (!busy) return;
            await Task.Delay(5).ConfigureAwait(false);
        }
    }
}
