using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Thresholds;

namespace Shootout.LoadGen.Cli;

/// <summary>What the user asked for, from flags and/or a config file; unset values are null so flags can
/// override a config file field by field.</summary>
internal sealed record Settings
{
    /// <summary>The kind of connection behaviour: hold, echo, echo-closed, probe, flood, never-reading.</summary>
    public string? Scenario { get; init; }

    /// <summary>A scenario's name in a config's <c>scenarios</c> array.</summary>
    public string? Name { get; init; }

    /// <summary>A config's <c>scenarios</c> array: each entry's own fields, laid over this (the run's) settings.</summary>
    public IReadOnlyList<Settings>? Scenarios { get; init; }

    /// <summary>Probe: one message per connection this often (default 10 ms), of <see cref="ProbeSize"/> bytes (default 9).</summary>
    public TimeSpan? ProbeInterval { get; init; }
    public int? ProbeSize { get; init; }

    /// <summary>A scenario's nice value (-20 to 19); default 10 for floods and writers that never read, -5 for probes
    /// in a run of several scenarios, else 0.</summary>
    public int? Nice { get; init; }

    /// <summary>A scenario's process: "own" (a child process of its own, at its nice value) or "shared" (the default).</summary>
    public string? Process { get; init; }

    /// <summary>Flood: the most bytes a connection keeps in flight (default 256 KiB).</summary>
    public int? Window { get; init; }
    public string? Target { get; init; }
    public int? Connections { get; init; }
    public double? ConnectRate { get; init; }
    public double? Rate { get; init; }
    public TimeSpan? Duration { get; init; }
    public int? MessageSize { get; init; }
    public bool? Closed { get; init; }
    public TimeSpan? Heartbeat { get; init; }
    public TimeSpan? ConnectTimeout { get; init; }
    public TimeSpan? MessageTimeout { get; init; }
    public int? DestAddresses { get; init; }
    public bool? AllowRemote { get; init; }
    public string? ReportDir { get; init; }
    public int? MetricsPort { get; init; }
    public string? Agents { get; init; }
    public int? ReplicaIndex { get; init; }
    public int? ReplicaCount { get; init; }
    public IReadOnlyList<LoadPhase>? Phases { get; init; }
    public IReadOnlyList<Threshold>? Thresholds { get; init; }
    public bool? AbortOnFail { get; init; }
    public TimeSpan? AbortDelay { get; init; }
    public string? SourceAddresses { get; init; }
    public string? Samples { get; init; }
    public long? SamplesLimit { get; init; }
    /// <summary>The CPUs the target server runs on (a CPU list), when the runner pinned it: for the same_machine hint.</summary>
    public string? ServerCpus { get; init; }

    public Settings OverlaidBy(Settings top) => new()
    {
        Scenario = top.Scenario ?? Scenario,
        Name = top.Name ?? Name,
        Scenarios = top.Scenarios ?? Scenarios,
        ProbeInterval = top.ProbeInterval ?? ProbeInterval,
        ProbeSize = top.ProbeSize ?? ProbeSize,
        Window = top.Window ?? Window,
        Nice = top.Nice ?? Nice,
        Process = top.Process ?? Process,
        Target = top.Target ?? Target,
        Connections = top.Connections ?? Connections,
        ConnectRate = top.ConnectRate ?? ConnectRate,
        Rate = top.Rate ?? Rate,
        Duration = top.Duration ?? Duration,
        MessageSize = top.MessageSize ?? MessageSize,
        Closed = top.Closed ?? Closed,
        Heartbeat = top.Heartbeat ?? Heartbeat,
        ConnectTimeout = top.ConnectTimeout ?? ConnectTimeout,
        MessageTimeout = top.MessageTimeout ?? MessageTimeout,
        DestAddresses = top.DestAddresses ?? DestAddresses,
        AllowRemote = top.AllowRemote ?? AllowRemote,
        ReportDir = top.ReportDir ?? ReportDir,
        MetricsPort = top.MetricsPort ?? MetricsPort,
        Agents = top.Agents ?? Agents,
        ReplicaIndex = top.ReplicaIndex ?? ReplicaIndex,
        ReplicaCount = top.ReplicaCount ?? ReplicaCount,
        Phases = top.Phases ?? Phases,
        // Thresholds add up: a config file's and the command line's all apply.
        Thresholds = Thresholds is null ? top.Thresholds : top.Thresholds is null ? Thresholds : [.. Thresholds, .. top.Thresholds],
        AbortOnFail = top.AbortOnFail ?? AbortOnFail,
        AbortDelay = top.AbortDelay ?? AbortDelay,
        SourceAddresses = top.SourceAddresses ?? SourceAddresses,
        Samples = top.Samples ?? Samples,
        SamplesLimit = top.SamplesLimit ?? SamplesLimit,
        ServerCpus = top.ServerCpus ?? ServerCpus,
    };
}
