using System.Net;
using System.Net.NetworkInformation;
using Shootout.Common;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Hints;

/// <summary>
/// Says when a run's figures may be the generator's rather than the server's, the way NBomber's hint
/// analyzer does: from the generator's own send lag, its threads' CPU use and run-queue waits, and each
/// phase's achieved rate against the requested one. The limits are deliberately coarse (a hint should mean
/// something when it appears): see the load generator's README. Figures format invariantly: the project
/// runs with invariant globalization.
/// </summary>
internal static class HintAnalyzer
{
    /// <summary>A loop at this share of a core or more, on average over the run, is the bottleneck.</summary>
    public const double BusyCore = 0.9;

    /// <summary>A thread that waited this share of the time or more for a CPU was starved.</summary>
    public const double StarvedWait = 0.2;

    /// <summary>Send lag p99 above this (and above the server's time to first byte) is the generator's delay.</summary>
    public const long LagFloorMicros = 1000;

    /// <summary>
    /// ... and at least this many sends left later than that floor. A handful of late sends (the first messages
    /// through code not yet compiled, one preemption of the pacer) fill p99 of a short run on their own, yet say
    /// nothing about whether the generator keeps up: 4 connections at 100/s for 3 s send 300 messages, so 3 late
    /// ones are p99. A generator that cannot keep up is late on every message it falls behind on.
    /// </summary>
    public const long LateSendsMin = 20;

    /// <summary>A phase that achieved less than this share of its requested rate is flagged.</summary>
    public const double RateShortfall = 0.95;

    public static IReadOnlyList<Hint> Analyze(LoadPlan plan, RunAggregate t, IReadOnlyList<PhaseRate> phases)
    {
        var hints = new List<Hint>();
        string more = "Use more agents (--agents N) or fewer connections per loop, or run the generator on another machine.";

        if (plan.OpenModel && t.SendLag.TotalCount > 0)
        {
            long lag = t.SendLag.GetValueAtPercentile(99);
            long firstByte = t.FirstByte.TotalCount > 0 ? t.FirstByte.GetValueAtPercentile(99) : 0;
            long late = LateSends(t.SendLag);
            if (lag > LagFloorMicros && lag > firstByte && late >= LateSendsMin)
                hints.Add(new(HintKinds.SendLag,
                    ($"Send lag p99 is {lag} us, above the server's time to first byte p99 ({firstByte} us), and {late} sends left "
                      + $"more than {LagFloorMicros} us late: scheduled messages "
                      + "left late because the generator could not send them on time, so the latency figures are partly the generator's."),
                    more));
        }

        var busiest = t.Threads.Where(e => e.Value.Seconds > 0).OrderByDescending(e => e.Value.CpuMean).FirstOrDefault();
        if (busiest.Value.Seconds > 0 && busiest.Value.CpuMean >= BusyCore)
            hints.Add(new(HintKinds.LoopBusy,
                ($"{ThreadName(busiest.Key, t)} used {busiest.Value.CpuMean * 100:0}% of a core on average (busiest second "
                  + $"{busiest.Value.CpuMax * 100:0}%): the generator ran at its limit, so the server may have more to give."),
                more));

        var starved = t.Threads.Where(e => e.Value.Seconds > 0).OrderByDescending(e => e.Value.WaitMean).FirstOrDefault();
        if (starved.Value.Seconds > 0 && starved.Value.WaitMean >= StarvedWait)
            hints.Add(new(HintKinds.CpuStarved,
                ($"{ThreadName(starved.Key, t)} waited {starved.Value.WaitMean * 100:0}% of the time for a CPU it wanted: other "
                  + $"processes on this machine's {Environment.ProcessorCount} cores took it, so the generator sent late or slowly."),
                "Run the generator where it has cores of its own (another machine, or taskset away from busy processes), or use fewer agents."));

        foreach (var p in phases.Where(p => p.Requested is > 0 && p.Seconds >= 1))
        {
            if (p.Achieved >= p.Requested!.Value * RateShortfall) continue;
            bool generator = hints.Any(h => HintKinds.GeneratorLimited.Contains(h.Kind));
            hints.Add(new(HintKinds.RateBelowRequested,
                ($"Phase {p.Index + 1} ({p.Kind}) asked for {p.Requested:0.#}/s and achieved {p.Achieved:0.#}/s.")
                + (generator ? " The hints above say the generator held it back." : " The generator shows no sign of limiting it: the server did not keep up."),
                generator ? more : "Compare with a lower --rate to find the rate the server sustains."));
        }

        bool generatorLimited = hints.Any(h => HintKinds.GeneratorLimited.Contains(h.Kind));
        if (generatorLimited && plan.Targets.Any(IsLocal) && SharesCores(plan.ServerCpus, CpuSet.Allowed()))
            hints.Add(new(HintKinds.SameMachine,
                (plan.ServerCpus is null
                    ? $"The target runs on this machine, whose {Environment.ProcessorCount} cores the server and the generator share: "
                    : $"The target runs on this machine, on CPUs {plan.ServerCpus}, which overlap the generator's ({CpuSet.Allowed()}): ")
                  + "what one uses the other cannot.",
                "Run the generator on another machine, or pin the two to separate cores (taskset)."));
        return hints;
    }

    /// <summary>
    /// Whether a local server competes with the generator for its cores: unless told the server's CPUs (--server-cpus),
    /// assume it does; told them, only when they overlap the CPUs this generator may run on.
    /// </summary>
    public static bool SharesCores(string? serverCpus, CpuSet generatorCpus) =>
        serverCpus is null || !CpuSet.TryParse(serverCpus, out var server) || server!.Overlaps(generatorCpus);

    /// <summary>Sends that left more than <see cref="LagFloorMicros"/> after their scheduled time.</summary>
    private static long LateSends(HdrHistogram.HistogramBase lag)
    {
        long late = 0;
        foreach (var v in lag.RecordedValues())
            if (v.ValueIteratedTo > LagFloorMicros) late += v.CountAtValueIteratedTo;
        return late;
    }

    private static string ThreadName((int Source, int Loop) key, RunAggregate t)
    {
        string thread = key.Loop < 0 ? "The pacer thread" : $"Event loop {key.Loop}";
        return t.Threads.Keys.Any(k => k.Source != key.Source) ? $"{thread} of agent {key.Source}" : thread;
    }

    private static bool IsLocal(string endpoint)
    {
        var address = IPEndPoint.Parse(endpoint).Address;
        if (IPAddress.IsLoopback(address)) return true;
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses).Any(u => u.Address.Equals(address));
        }
        catch (NetworkInformationException) { return false; }
    }

}
