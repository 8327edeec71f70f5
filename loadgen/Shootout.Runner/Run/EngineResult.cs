namespace Shootout.Runner.Run;

/// <summary>The constant-rate echo on a subset of connections: rates and CO-corrected latency percentiles (µs).</summary>
internal sealed record EchoResult(double RateRequested, double RateAchieved, double P50, double P99, double P999, double Max)
{
    /// <summary>The whole distribution the load generator reported, p0 (min) to p99.99 and max.</summary>
    public IReadOnlyList<LatencySpectrum.Point> Spectrum { get; init; } = [];
}

/// <summary>One engine's measurements; filled in phase by phase, so a failed engine keeps what was measured before it failed.</summary>
internal sealed class EngineResult
{
    public required string Engine { get; init; }
    /// <summary>An engine, a reference (reported under "references") or a contender (under "contenders").</summary>
    public RowKind Kind { get; init; }
    public bool IsReference => Kind == RowKind.Reference;
    public bool IsContender => Kind == RowKind.Contender;
    /// <summary>The row's name in tables and charts: a reference or a contender says so.</summary>
    public string Label => Kind.Label(Engine);
    public required int ConnectionsRequested { get; init; }
    public int Processes { get; set; }
    public string Status => Error is null ? "ok" : "failed";
    public string? Error { get; private set; }
    public long ConnectionsHeld { get; set; }
    public double? ConnectRatePerSecond { get; set; }
    public double? UserBytesPerConnection { get; set; }
    public double? KernelBytesPerConnection { get; set; }
    public int? Threads { get; set; }
    public double? CpuUserSeconds { get; set; }
    public double? CpuSystemSeconds { get; set; }
    public EchoResult? Echo { get; set; }
    public double? MaxMsgsPerSecond { get; set; }
    public NeighboursResult? Neighbours { get; set; }

    /// <summary>The CPUs the server processes and the load generator ran on; null when they shared every core.</summary>
    public Shootout.Common.CpuRoles? Cpus { get; set; }
    /// <summary>Cost per echoed message at the open-model rate every row is offered (the same load for all).</summary>
    public MessageCost? CostAtRate { get; set; }
    /// <summary>Cost per echoed message at the closed-loop maximum.</summary>
    public MessageCost? CostClosed { get; set; }
    /// <summary>The load generator's own CPU use, per phase.</summary>
    public List<GeneratorCpu> GeneratorCpu { get; } = [];
    /// <summary>
    /// True when the closed loop ran while the generator used ≥ 90% of its CPUs: <see cref="MaxMsgsPerSecond"/>
    /// is then the generator's limit and a lower bound for the server ("≥ 127,631, generator-bound").
    /// </summary>
    public bool ClosedGeneratorBound => GeneratorCpu.Any(g => g.Phase == "closed" && g.IsSaturated);
    public long BaselineRssBytes { get; set; }
    public long HeldRssBytes { get; set; }
    public double RampSeconds { get; set; }
    public double WallSeconds { get; set; }
    public bool? StoppedCleanly { get; set; }
    public string Destinations { get; set; } = "";

    /// <summary>
    /// The wall that stopped the ramp short of the connections asked for (memory, a kernel limit, the
    /// ramp's time bound); null when it got there.
    /// </summary>
    public string? Limit { get; set; }
    /// <summary>Σ(RSS − baseline) over the server processes while holding: the engine's user-space growth.</summary>
    public long UserGrowthBytes => Math.Max(0, HeldRssBytes - BaselineRssBytes);
    /// <summary>Resident memory of the load generator and its agents while holding.</summary>
    public long? LoadGenRssBytes { get; set; }
    public long? MemAvailableBeforeBytes { get; set; }
    public long? MemAvailableHeldBytes { get; set; }
    public long? MemAvailableLowestBytes { get; set; }
    /// <summary>Σ RSS and slab against connections during the ramp, and the run second by second.</summary>
    public EngineTimeline Timeline { get; } = new();
    /// <summary>Σ RSS against connections held over the ramp: slope = bytes per connection, intercept = the processes' fixed cost.</summary>
    public LinearFit? UserFit => LinearFit.Of(Timeline.Growth.Select(p => ((double)p.Connections, (double)p.UserBytes)).ToList());
    /// <summary>Kernel (slab) bytes against connections held over the ramp.</summary>
    public LinearFit? KernelFit => LinearFit.Of(Timeline.Growth.Select(p => ((double)p.Connections, (double)p.KernelBytes)).ToList());

    /// <summary>Connections the servers closed themselves, by reason (fd_limit, thread_limit…), during the run.</summary>
    public Dictionary<string, long> Rejected { get; set; } = [];

    /// <summary>The load generator's hints by phase ("send_lag (echo)"): its figures there may be its own.</summary>
    public List<string> Hints { get; } = [];

    public void NoteHints(string phase, IEnumerable<string> kinds) => Hints.AddRange(kinds.Select(k => $"{k} ({phase})"));

    /// <summary>"ok", "ok — …" with the wall it stopped at, or the failure; then the load generator's hints.</summary>
    public string StatusText => (Error is not null ? "FAILED: " + Error : Limit is null ? "ok" : "stopped at the wall: " + Limit)
        + (Hints.Count > 0 ? "; loadgen hints: " + string.Join(", ", Hints) : "");

    /// <summary>The first failure is the reason reported; later ones are usually its consequences.</summary>
    public void Fail(string reason) => Error ??= reason;
}
