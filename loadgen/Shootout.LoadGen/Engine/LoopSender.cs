using System.Diagnostics;
using Shootout.Fibers;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// The open model's schedule, kept by one event loop for its own connections: a fiber that sleeps on the
/// loop's timer heap until the next scheduled send (to the microsecond: <see cref="EventLoop.DelayUntil"/>)
/// and hands each send to one of the loop's connections inline. No other thread sits between the schedule
/// and the socket: a pacer thread that noticed the send and posted it over (an eventfd wake-up, a second
/// thread to schedule) made sends leave up to milliseconds late, more than the round trips measured.
/// </summary>
internal sealed class LoopSender
{
    /// <summary>Longest sleep: the rate is read again at least this often (ramps, pauses, the end of the run).</summary>
    private static readonly long MaxSleep = Stopwatch.Frequency / 1000;

    private readonly EventLoop _loop;
    private readonly int _loops;
    private readonly LoadPlan _plan;
    private readonly Schedule _schedule;
    private readonly RunClock _clock;
    private readonly ActiveSlots _table;
    private readonly ConnectionRunner _runner;
    private readonly WorkerStats _stats;
    private readonly SendSchedule _sends;
    private readonly Action<double> _send;
    private Slot[] _local = [];
    private int _localVersion = -1;
    private long _roundRobin;

    public LoopSender(EventLoop loop, int loops, LoadPlan plan, Schedule schedule, RunClock clock, ActiveSlots table,
        ConnectionRunner runner, WorkerStats stats)
    {
        _loop = loop;
        _loops = loops;
        _plan = plan;
        _schedule = schedule;
        _clock = clock;
        _table = table;
        _runner = runner;
        _stats = stats;
        _sends = new SendSchedule(phase: (double)loop.Id / loops);
        _send = Send;
    }

    /// <summary>The fiber: from the start of the measured clock to the end of the plan.</summary>
    public async Fiber RunAsync()
    {
        try
        {
            while (!_clock.Draining && !_clock.Stopping)
            {
                long now = Stopwatch.GetTimestamp();
                if (!_clock.Measuring)
                {
                    await _loop.DelayUntil(now + MaxSleep);
                    continue;
                }
                double t = Math.Max(0, _clock.Seconds(now));
                if (t >= _schedule.DurationSeconds) return;
                double rate = _schedule.RateAt(t) * _plan.ShareFraction / _loops;
                double next = _sends.Advance(t, rate, _send);
                long wake = double.IsFinite(next) ? Math.Min(_clock.TimestampAt(next) + 1, now + MaxSleep) : now + MaxSleep;
                await _loop.DelayUntil(wake);
            }
        }
        catch (Exception) when (_clock.Stopping || _clock.Draining)
        {
            // The loops stop: the sleep was aborted.
        }
    }

    private void Send(double at)
    {
        long scheduled = _clock.TimestampAt(at);
        Interlocked.Increment(ref _stats.PhaseDue[_schedule.PhaseAt(at)]);
        if (NextLocal() is { } slot)
        {
            Interlocked.Increment(ref slot.Queued);
            _runner.Deliver(slot, scheduled);
            return;
        }
        // None of this loop's connections is up (a ramp-down left it none): another loop's takes it.
        if (_table.NextAlive() is not { } other)
        {
            _stats.MessagesFailed(1);
            _stats.Error("no_connection");
            return;
        }
        Interlocked.Increment(ref other.Queued);
        other.Loop.Post(() => _runner.Deliver(other, scheduled));
    }

    /// <summary>The next of this loop's alive connections in turn, from a list rebuilt when the table changed.</summary>
    private Slot? NextLocal()
    {
        int version = _table.Version;
        if (version != _localVersion)
        {
            _local = _table.Alive().Where(s => s.Loop == _loop).ToArray();
            _localVersion = version;
        }
        return _local.Length == 0 ? null : _local[_roundRobin++ % _local.Length];
    }
}
