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
    /// <summary>The reference servers measured beside the engines (--references), the same way.</summary>
    public IReadOnlyList<EngineResult> References { get; init; } = [];

    /// <summary>References asked for that could not be measured (not built here), with the reason.</summary>
    public IReadOnlyDictionary<string, string> ReferencesSkipped { get; init; } = new Dictionary<string, string>();

    /// <summary>Other people's echo servers measured beside the engines (--contender), the same way.</summary>
    public IReadOnlyList<EngineResult> Contenders { get; init; } = [];

    /// <summary>Engines, then references, then contenders: the rows of the tables and charts.</summary>
    public IReadOnlyList<EngineResult> Rows => [.. Engines, .. References, .. Contenders];

    public bool AllOk => Rows.All(e => e.Status == "ok");

    /// <summary>The CPUs the server processes and the load generator were given (disjoint); null: they shared every CPU.</summary>
    public Shootout.Common.CpuRoles? Cpus => Settings.Cpus;
}

/// <summary>
/// The figures the project's question quotes from elsewhere: what a unit of concurrency costs. Shown as
/// quotes, beside the measured Go and Rust rows when a run has them (--references; make seed measures the
/// sleeping-task figures themselves).
/// </summary>
internal static class Reference
{
    public static readonly (string Name, string Unit, double Bytes)[] Points =
    [
        ("Rust threads", "thread", 8.5 * 1024),
        ("Go", "goroutine", 2.1 * 1024),
    ];
}
