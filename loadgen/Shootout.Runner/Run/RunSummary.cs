using Shootout.Runner.Cli;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Run;

/// <summary>The whole run as the reports see it.</summary>
internal sealed record RunSummary(
    RunnerSettings Settings,
    MachineInfo Machine,
    IReadOnlyList<EngineResult> Engines,
    DateTimeOffset StartedAt,
    double WallSeconds,
    IReadOnlyList<SysctlChange> SysctlChanges,
    IReadOnlyList<string> Notes,
    int ConnectionsPerEngine)
{
    public bool AllOk => Engines.All(e => e.Status == "ok");
}

/// <summary>The seed's reference points: what a connection costs elsewhere, per the project's question.</summary>
internal static class Reference
{
    public static readonly (string Name, string Unit, double Bytes)[] Points =
    [
        ("Rust threads", "thread", 8.5 * 1024),
        ("Go", "goroutine", 2.1 * 1024),
    ];
}
