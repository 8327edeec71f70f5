using Shootout.Common;

namespace Shootout.Runner.Bench;

/// <summary>Everything `shootout-runner bench` was asked to do, checked, with defaults filled in.</summary>
internal sealed record BenchSettings
{
    public static readonly string[] AllReferences = ["c", "go", "rust", "dotnet-socket"];

    /// <summary>Connections held in the idle and used phases (one C client process: under its 20,000 open files).</summary>
    public int Connections { get; init; } = 10_000;
    public int EchoConnections { get; init; } = 1_000;
    public int MessageSize { get; init; } = 64;
    /// <summary>Seconds of closed-loop echo per row.</summary>
    public int Seconds { get; init; } = 5;
    public IReadOnlyList<string> Engines { get; init; } = ["threads", "async", "epoll", "uring"];
    public IReadOnlyList<string> References { get; init; } = AllReferences;
    public string ResultsDir { get; init; } = "results";
    /// <summary>Another build's bin/: each engine's row is preceded by the same engine of that build (ENGINE@base).</summary>
    public string? BaselineBin { get; init; }
    public int Rounds { get; init; } = DefaultRounds;
    /// <summary>Accept bursts of <see cref="Connections"/> per row, in one server: the row's accept rate is their median.</summary>
    public int AcceptBursts { get; init; } = DefaultAcceptBursts;
    /// <summary>The neighbours table after the rows (light probes beside floods, per engine, over at least 2 rounds).</summary>
    public bool Neighbours { get; init; } = true;
    /// <summary>The servers' CPUs and the C client's (as <see cref="CpuRoles.LoadGen"/>); null: they share every CPU.</summary>
    public CpuRoles? Cpus { get; init; } = CpuRoles.Split(CpuSet.Allowed());
    public string ServerPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "shootout-server");
    public string ReferencesDir { get; init; } = Path.Combine(AppContext.BaseDirectory, "references");
    public string BenchClientPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "bench-client");

    /// <summary>Connections opened, echoed on and closed before each measurement, so JIT and first heap growth are not charged to it.</summary>
    public const int WarmupConnections = 200;

    /// <summary>Rounds by default: see README (make bench) for the spread they were chosen from.</summary>
    public const int DefaultRounds = 5;

    /// <summary>Accept bursts per row by default: see README (make bench) for why one was not enough.</summary>
    public const int DefaultAcceptBursts = 3;
}
