using Shootout.Common;
using Shootout.LoadGen.Plan;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Net;

/// <summary>
/// The client side runs on the project's netpoller: a few event loops per process, one fiber per
/// connection, nothing per idle connection but a <see cref="NetConnection"/> and its parked fiber.
/// Past one descriptor table's worth of connections, each loop takes a private descriptor table, so one
/// process holds up to <see cref="MaxLoopsPerProcess"/> × ~20,000 connections under the per-process
/// open-file limit: a million connections need a handful of processes, not one .NET runtime per 20,000.
/// </summary>
internal static class ClientLoops
{
    /// <summary>Loops (and so descriptor tables) per process before the coordinator starts another agent.
    /// Bounded so each process keeps a moderate thread count and a small heap for its GC to walk.</summary>
    public const int MaxLoopsPerProcess = 8;

    /// <summary>Connections one loop may hold: its descriptor table's budget (the program raised the soft
    /// open-file limit to the hard one at start).</summary>
    public static int PerLoop => FileLimit.ConnectionBudget();

    /// <summary>Connections one process may hold.</summary>
    public static long PerProcess => (long)PerLoop * MaxLoopsPerProcess;

    /// <summary>Loops for <paramref name="connections"/> of <paramref name="plan"/>: enough tables for the
    /// connections, and for echo traffic one per core so the client is never the slower side.</summary>
    public static int LoopsFor(LoadPlan plan, int connections)
    {
        int loops = Math.Max(1, (int)((connections + (long)PerLoop - 1) / PerLoop));
        // A probe is a light client: one loop keeps its clock (as the neighbours command always had), and a
        // second loop at the probes' raised priority would only take a core's turns from the server it measures.
        if (plan.Scenario is ScenarioKind.Echo or ScenarioKind.Flood && !plan.Probe)
            loops = Math.Max(loops, Math.Min(Environment.ProcessorCount, connections));
        return loops;
    }

    public static EventLoopGroup Create(int loops, int connections, Action<Exception> onError) => new(new NetpollOptions
    {
        Loops = loops,
        // Private tables only when one table cannot hold them all: they come with rules (see NetpollOptions).
        PrivateDescriptorTables = connections > PerLoop,
        // Loops read stray bytes into it and discard them; messages use pooled buffers.
        SharedBufferSize = 16 * 1024,
        // The open model's sends wake the loop on a timer (Engine/LoopSender): fired within 1 µs of the
        // scheduled time rather than the default 50 µs of slack.
        TimerSlack = TimeSpan.FromMicroseconds(1),
        // The shortest slice the kernel takes (100 µs): a loop woken for a send runs then, not after the slice
        // of whatever else holds its CPU (the pacer's per-second tick took ~3 ms of it, docs/instrument.md).
        SchedulerSlice = TimeSpan.FromMicroseconds(100),
        OnError = onError,
    });
}
