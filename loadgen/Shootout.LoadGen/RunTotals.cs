using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Reports;
using Shootout.LoadGen.Stats;
using Shootout.LoadGen.Thresholds;

namespace Shootout.LoadGen;

/// <summary>
/// A run's figures twice over: per scenario (each its own <see cref="RunAggregate"/>, fed by the ticks marked
/// with its index) and for the whole run (every tick, each scenario of each agent a source of its own). A
/// threshold on <c>name.metric</c> is judged on its scenario's figures, a bare one on the whole run's.
/// </summary>
internal sealed class RunTotals
{
    private readonly IReadOnlyList<LoadPlan> _plans;
    private readonly RunAggregate[] _scenarios;

    public RunTotals(IReadOnlyList<LoadPlan> plans, int sources)
    {
        _plans = plans;
        _scenarios = plans.Select(_ => new RunAggregate(sources)).ToArray();
        Whole = new RunAggregate(sources * plans.Count);
    }

    public RunAggregate Whole { get; }

    public RunAggregate Of(int scenario) => _scenarios[scenario];

    public void Add(int source, Tick tick)
    {
        int scenario = Math.Clamp(tick.Scenario, 0, _plans.Count - 1);
        _scenarios[scenario].Add(source, tick);
        Whole.Add(source * _plans.Count + scenario, tick);
    }

    /// <summary>A source that vanished (an agent that died) takes every scenario it ran with it; the error counts once.</summary>
    public void Lost(int source, string kind)
    {
        bool counted = false;
        for (int k = 0; k < _plans.Count; k++)
        {
            _scenarios[k].Lost(source, kind);
            counted |= Whole.Lost(source * _plans.Count + k, kind, countError: !counted);
        }
    }

    /// <summary>A source that never runs <paramref name="scenario"/> (another process has it): nothing to wait for from it.</summary>
    public void Absent(int source, int scenario)
    {
        _scenarios[scenario].Absent(source);
        Whole.Absent(source * _plans.Count + scenario);
    }

    public void Finish()
    {
        foreach (var s in _scenarios) s.Finish();
        Whole.Finish();
    }

    public LoadPlan WholePlan() => WholePlan(_plans);

    /// <summary>
    /// The whole run as one plan, for its totals and reports: one scenario is the run itself; several are one
    /// closed-loop plan over all their connections and targets for as long as the longest (no requested rate of
    /// its own: each open-model scenario has its own, in its own section).
    /// </summary>
    public static LoadPlan WholePlan(IReadOnlyList<LoadPlan> plans)
    {
        if (plans.Count == 1) return plans[0];
        int connections = plans.Sum(p => p.Connections);
        var longest = plans.Max(p => p.Duration);
        return plans[0] with
        {
            Name = "run",
            KindName = "scenarios",
            Scenario = ScenarioKind.Echo,
            Closed = true,
            Heartbeat = null,
            Rate = 0,
            Connections = connections,
            Targets = plans.SelectMany(p => p.Targets).Distinct().ToList(),
            SourceAddresses = plans.SelectMany(p => p.SourceAddresses).Distinct().ToList(),
            MessageSize = plans.Max(p => p.MessageSize),
            Phases = [new LoadPhase(PhaseKind.KeepConstant, connections, TimeSpan.FromSeconds(1), longest)],
            Samples = null,
        };
    }

    /// <summary>Live checks: the whole run's bare thresholds, then each scenario's own.</summary>
    public IReadOnlyList<LiveThresholds> LiveThresholds(IReadOnlyList<Threshold> thresholds) =>
    [
        new LiveThresholds(WholePlan(), thresholds.Where(t => t.Scenario is null).ToList(), Whole),
        .. _plans.Select((p, k) => new LiveThresholds(p, thresholds.Where(t => t.Scenario is not null && t.Scenario == p.Name).ToList(), _scenarios[k])),
    ];

    /// <summary>Every threshold judged at the end, in the order given.</summary>
    public IReadOnlyList<ThresholdResult> Judge(IReadOnlyList<Threshold> thresholds) => thresholds.SelectMany(t =>
    {
        int k = t.Scenario is null ? -1 : _plans.ToList().FindIndex(p => p.Name == t.Scenario);
        var (plan, totals) = k < 0 ? (WholePlan(), Whole) : (_plans[k], _scenarios[k]);
        var phases = k < 0 && _plans.Count > 1 ? null : PhaseRates.Of(plan, totals);
        return ThresholdCheck.Judge([t], new RunFigures(plan, totals, totals.MeasuredSeconds, phases));
    }).ToList();

    /// <summary>The run's result, with each scenario's own beside it.</summary>
    public RunResult Result(string status, int code, string? message, int agents, DateTimeOffset startedAt, double wallSeconds)
    {
        var scenarios = _plans.Select((p, k) => new RunResult(p, _scenarios[k], status, code, message, agents, startedAt, wallSeconds)).ToList();
        var whole = new RunResult(WholePlan(), Whole, status, code, message, agents, startedAt, wallSeconds) { Scenarios = scenarios };
        // Several scenarios: no phase plan of the whole run's own, and each generator hint once (every scenario
        // reads the same event loops).
        return _plans.Count == 1 ? whole : whole with
        {
            Phases = [],
            Hints = scenarios.SelectMany(s => s.Hints).DistinctBy(h => h.Kind).ToList(),
        };
    }
}
