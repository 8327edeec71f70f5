using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Thresholds;

/// <summary>
/// The thresholds while the run goes: once per settled second, the upper bounds are judged on the figures so
/// far, for the live view; one marked abort-on-fail that fails after its delay stops the run (k6's
/// abortOnFail, NBomber's runtime thresholds). Lower bounds (connections&gt;=N, rate&gt;=99%) wait for the end.
/// </summary>
internal sealed class LiveThresholds(LoadPlan plan, IReadOnlyList<Threshold> thresholds, RunAggregate totals)
{
    private readonly Threshold[] _live = thresholds.Where(t => t.LiveCheckable).ToArray();
    private int _lastSeq = -1;
    private volatile string? _status;

    /// <summary>The threshold that stopped the run, if one did.</summary>
    public ThresholdResult? Failure { get; private set; }

    /// <summary>One line for the live view ("thresholds: p99<5ms ok, errors<1% FAIL"), or null without thresholds.</summary>
    public string? Status => _status;

    /// <summary>Consumer thread, after each tick: judges once per new second; returns the failure that should stop the run.</summary>
    public ThresholdResult? Check()
    {
        if (_live.Length == 0 || Failure is not null) return null;
        var point = totals.LastPoint;
        if (point is null || point.Seq == _lastSeq) return null;
        _lastSeq = point.Seq;
        double measured = point.Seq + 1;
        var results = totals.Locked(t => ThresholdCheck.Judge(_live, new RunFigures(plan, t, measured, phases: null)));
        _status = "thresholds: " + string.Join(", ", results.Select(r => $"{r.Expression} {(r.Passed ? "ok" : "FAIL")}"));
        Failure = results.FirstOrDefault(r => !r.Passed && r.Observed is not null && r.Threshold.AbortOnFail
            && measured >= r.Threshold.AbortDelay.TotalSeconds);
        return Failure;
    }
}
