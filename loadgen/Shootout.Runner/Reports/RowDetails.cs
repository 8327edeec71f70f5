using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>A row's CPU arrangement and its load generator's CPU use, as the per-server details of the reports say them.</summary>
internal static class RowDetails
{
    public static string Cpus(EngineResult r) => r.Cpus is { } c
        ? $"server on CPU {c.Server}, load generator on CPU {c.LoadGen}"
        : "server and load generator shared every core";

    public static string GeneratorCpu(EngineResult r) => r.GeneratorCpu.Count == 0
        ? "load generator CPU: —"
        : "load generator CPU: " + string.Join(", ", r.GeneratorCpu.Select(g =>
            F($"{g.Phase} {g.Share * 100:0}% of {g.Cpus}") + (g.IsSaturated ? " (saturated)" : "")));
}
