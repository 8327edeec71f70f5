namespace Shootout.Runner.Cli;

/// <summary>Everything a shootout run was asked to do, checked and with defaults filled in.</summary>
internal sealed record RunnerSettings
{
    public static readonly string[] AllEngines = ["threads", "async", "epoll", "uring"];

    public IReadOnlyList<string> Engines { get; init; } = AllEngines;
    /// <summary>Reference servers measured after the engines, the same way (c, go, rust): all of them unless told otherwise.</summary>
    public IReadOnlyList<string> References { get; init; } = Run.References.Names;
    /// <summary>Other people's echo servers measured after the references, the same way (--contender NAME='COMMAND').</summary>
    public IReadOnlyList<Processes.ContenderLaunch> Contenders { get; init; } = [];
    /// <summary>Where the reference servers are built (`make references`).</summary>
    public string ReferencesDir { get; init; } = Path.Combine(AppContext.BaseDirectory, "references");
    public int Connections { get; init; } = 20_000;
    public double ConnectRate { get; init; } = 50_000;
    public int EchoConnections { get; init; } = 100;
    public double EchoRate { get; init; } = 5_000;
    public TimeSpan EchoDuration { get; init; } = TimeSpan.FromSeconds(5);
    public int ClosedConnections { get; init; } = 100;
    public TimeSpan ClosedDuration { get; init; } = TimeSpan.FromSeconds(5);
    public int MessageSize { get; init; } = 32;
    public int WarmupConnections { get; init; } = 200;
    public TimeSpan RampStall { get; init; } = TimeSpan.FromSeconds(15);
    /// <summary>Stop an engine's ramp when MemAvailable would fall below this; tear it down at half of it.</summary>
    public long MemoryReserveBytes { get; init; } = 3L << 30;
    /// <summary>Longest an engine may ramp; reaching it stops the ramp where it is, and the report says so.</summary>
    public TimeSpan RampTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public string ResultsDir { get; init; } = "results";
    public bool Prometheus { get; init; } = true;
    public int PrometheusPort { get; init; } = 9090;
    public bool TuneSysctls { get; init; } = true;
    /// <summary>Put the raised kernel limits back once the engines have stopped.</summary>
    public bool RestoreSysctls { get; init; } = true;
    public bool Plain { get; init; }
    public string ServerPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "shootout-server");
    public string LoadGenPath { get; init; } = Path.Combine(AppContext.BaseDirectory, "shootout-loadgen");
    public IReadOnlyList<string> ServerArgs { get; init; } = [];
    public NeighboursPhaseSettings Neighbours { get; init; } = new();
    /// <summary>The CPUs of the server processes and of the load generator (disjoint); null: they share every CPU.</summary>
    public Shootout.Common.CpuRoles? Cpus { get; init; }
}
