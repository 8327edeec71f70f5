using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// One process's share of every scenario of a run, at once, on one set of event loops: each scenario is a
/// <see cref="Worker"/> (its own pacer, schedule, clock and counters, its ticks marked with its index), and
/// every connection of every scenario is a fiber on the same loops, so holders, echoers, floods and probes
/// meet in the client as they meet in the server. One scenario alone runs exactly as it always did.
/// </summary>
internal static class ScenarioSet
{
    public static async Task RunAsync(IReadOnlyList<LoadPlan> plans, Action<Tick> onTick, CancellationToken cancel)
    {
        if (plans.Count == 1)
        {
            await new Worker(plans[0]).RunAsync(onTick, cancel).ConfigureAwait(false);
            return;
        }
        int connections = plans.Sum(p => p.ShareConnections);
        int loops = plans.Max(p => ClientLoops.LoopsFor(p, connections));
        // First uses that may open a descriptor happen here, not on a loop thread (see NetpollOptions).
        _ = Random.Shared.Next();
        _ = Console.Error;
        Worker[] workers = [];
        var group = ClientLoops.Create(loops, connections, e => workers.FirstOrDefault()?.Stats.Error(ErrorKinds.Other));
        try
        {
            workers = plans.Select((plan, i) => new Worker(plan, i, group)).ToArray();
            await Task.WhenAll(workers.Select(w => w.RunAsync(onTick, cancel))).ConfigureAwait(false);
        }
        finally
        {
            await group.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
    }
}
