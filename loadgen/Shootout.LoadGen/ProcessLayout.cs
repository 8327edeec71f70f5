using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen;

/// <summary>
/// Which process runs which scenario of a run: the scenarios of their own process (<see cref="LoadPlan.OwnProcess"/>)
/// one agent each, the others together in this process or, past the descriptor limit, split over
/// <see cref="Agents"/> agents. The sources of ticks: 0 … max(1, Agents) − 1 the shared, then one per own process.
/// </summary>
internal sealed class ProcessLayout
{
    private readonly IReadOnlyList<LoadPlan> _plans;

    public ProcessLayout(IReadOnlyList<LoadPlan> plans, int? agents)
    {
        _plans = plans;
        var indexed = plans.Select((plan, index) => (Plan: plan, Index: index)).ToList();
        Own = indexed.Where(p => p.Plan.OwnProcess).ToList();
        Shared = indexed.Where(p => !p.Plan.OwnProcess).ToList();
        Agents = agents ?? Coordinator.AutoAgents(Shared.Sum(p => p.Plan.ShareConnections));
    }

    public IReadOnlyList<(LoadPlan Plan, int Index)> Own { get; }

    public IReadOnlyList<(LoadPlan Plan, int Index)> Shared { get; }

    /// <summary>Agents the shared scenarios are split over (0: this process).</summary>
    public int Agents { get; }

    private int SharedSources => Math.Max(1, Agents);

    /// <summary>The source of the <paramref name="own"/>-th own-process scenario's ticks.</summary>
    public int OwnSource(int own) => SharedSources + own;

    /// <summary>The run's totals over every source, each scenario expecting ticks only from the sources that run it.</summary>
    public RunTotals Totals()
    {
        var totals = new RunTotals(_plans, SharedSources + Own.Count);
        foreach (var (_, index) in Own)
            for (int source = 0; source < SharedSources; source++) totals.Absent(source, index);
        for (int j = 0; j < Own.Count; j++)
            foreach (var k in Enumerable.Range(0, _plans.Count).Where(k => k != Own[j].Index)) totals.Absent(OwnSource(j), k);
        return totals;
    }
}
