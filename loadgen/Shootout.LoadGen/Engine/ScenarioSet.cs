using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// One process's share of every scenario of a run, at once, on one set of event loops: each scenario is a
/// <see cref="Worker"/> (its own pacer, schedule, clock and counters, its ticks marked with its index), and
/// every connection of every scenario is a fiber on the same loops, so holders, echoers, floods and probes
/// meet in the client as they meet in the server, except where a scenario asks for another priority
/// (<see cref="LoadPlan.Nice"/>): those get loops of their own at that nice value. One scenario alone runs
/// exactly as it always did.
/// </summary>
internal static class ScenarioSet
{
    public static async Task RunAsync(IReadOnlyList<LoadPlan> plans, Action<Tick> onTick, CancellationToken cancel)
    {
        // One scenario at the process's own priority runs exactly as it always did; one at another gets its loops set.
        if (plans is [{ Nice: 0 }])
        {
            await new Worker(plans[0]).RunAsync(onTick, cancel).ConfigureAwait(false);
            return;
        }
        // First uses that may open a descriptor happen here, not on a loop thread (see NetpollOptions).
        _ = Random.Shared.Next();
        _ = Console.Error;
        var groups = new List<EventLoopGroup>();
        var workers = new Worker[plans.Count];
        try
        {
            // One set of loops per nice value: the scenarios of one value share them.
            foreach (var byNice in plans.Select((plan, index) => (plan, index)).GroupBy(p => p.plan.Nice))
            {
                int connections = byNice.Sum(p => p.plan.ShareConnections);
                int loops = byNice.Max(p => ClientLoops.LoopsFor(p.plan, connections));
                var first = byNice.First().index;
                var group = ClientLoops.Create(loops, connections, e => workers[first]?.Stats.Error(ErrorKinds.Other));
                groups.Add(group);
                if (byNice.Key != 0)
                {
                    int nice = byNice.Key;
                    foreach (var loop in group.Loops) loop.Post(() => ThreadPriority.TrySetCurrentThread(nice));
                }
                foreach (var (plan, index) in byNice) workers[index] = new Worker(plan, index, group);
            }
            await Task.WhenAll(workers.Select(w => w.RunAsync(onTick, cancel))).ConfigureAwait(false);
        }
        finally
        {
            foreach (var group in groups) await group.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }
}
