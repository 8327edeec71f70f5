using System.Text.Json.Serialization;

namespace Shootout.LoadGen.Plan;

/// <summary>What each connection of a scenario does: hold idle (or heartbeat), echo (open model, closed loop, or a
/// probe: the open model at a fixed interval per connection), flood (a window of bytes in flight, all read back) or
/// write without ever reading.</summary>
internal enum ScenarioKind { Hold, Echo, Flood, NeverReading }

/// <summary>Everything one run needs, as the command line and config file settled it. Serialisable, so the
/// coordinator can hand it to agent processes unchanged.</summary>
internal sealed record LoadPlan
{
    public required ScenarioKind Scenario { get; init; }

    /// <summary>The scenario's name in a config's <c>scenarios</c> array (null: a one-scenario command, named by its kind).</summary>
    public string? Name { get; init; }

    /// <summary>The kind as the config wrote it (hold, echo, flood, never-reading, probe), for reports; null: from <see cref="Scenario"/>.</summary>
    public string? KindName { get; init; }

    /// <summary>
    /// A probe: the open model as a light client that measures the server beside the others. It keeps one event loop
    /// (its clock), and beside other scenarios it has a process of its own and a warm-up (Cli/PlanBuilder).
    /// </summary>
    public bool Probe { get; init; }

    /// <summary>
    /// The nice value of this scenario's event loops and pacer (0: the process's own). Scenarios of one nice value
    /// share loops; another value gets loops of its own, so the kernel can favour a light client's measurement over
    /// heavy neighbours on the same cores (docs/fairness.md: floods at 10, probes at -5 by default).
    /// </summary>
    public int Nice { get; init; }

    /// <summary>
    /// The scenario runs in a child process of its own (config <c>"process": "own"</c>), every thread of it at
    /// <see cref="Nice"/>: the kernel then schedules it and the rest of the run like any two programs, and nothing
    /// of its runtime (collector, thread pool) is shared with a light client's measurement (docs/fairness.md).
    /// </summary>
    public bool OwnProcess { get; init; }

    /// <summary>Flood only: the most bytes a connection keeps in flight.</summary>
    public int Window { get; init; } = 256 * 1024;

    /// <summary>The target as the user wrote it; the label of every metric.</summary>
    public required string TargetLabel { get; init; }

    /// <summary>Expanded destinations ("address:port"); connection k goes to Targets[k % Targets.Count].</summary>
    public required IReadOnlyList<string> Targets { get; init; }

    /// <summary>Most connections open at once over the whole run (all agents and replicas together).</summary>
    public required int Connections { get; init; }

    public required double ConnectRate { get; init; }

    /// <summary>Requested messages per second in the open model (0 otherwise).</summary>
    public double Rate { get; init; }

    public int MessageSize { get; init; } = 32;

    public bool Closed { get; init; }

    /// <summary>In <c>hold</c>, one message per connection this often (null: idle).</summary>
    public TimeSpan? Heartbeat { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MessageTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public required IReadOnlyList<LoadPhase> Phases { get; init; }

    /// <summary>Local addresses connections bind to in turn (empty: the kernel picks). On a loopback target
    /// this is filled in automatically, so one destination's ephemeral ports are no cap.</summary>
    public IReadOnlyList<string> SourceAddresses { get; init; } = [];

    /// <summary>Where raw per-message rows go (null: nowhere), and at most how many.</summary>
    public string? Samples { get; init; }

    public long SamplesLimit { get; init; } = 1_000_000;

    /// <summary>The CPUs the target server runs on (a CPU list, --server-cpus), when known: the generator shares a machine with it,
    /// but not necessarily its cores.</summary>
    public string? ServerCpus { get; init; }

    /// <summary>This process's part of the whole (replica × local agent).</summary>
    public Share Share { get; init; } = Share.Whole;

    /// <summary>This process's part of <see cref="Connections"/> (its <see cref="Share"/>): the one place it is derived.</summary>
    [JsonIgnore]
    public int ShareConnections => Share.ConnectionsOf(Connections);

    /// <summary>This process's fraction of the whole load, which scales the requested message rate.</summary>
    [JsonIgnore]
    public double ShareFraction => Connections == 0 ? 1 : (double)ShareConnections / Connections;

    [JsonIgnore]
    public bool OpenModel => Scenario == ScenarioKind.Echo && !Closed;

    [JsonIgnore]
    public TimeSpan Duration => Phases.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.During);

    [JsonIgnore]
    public string ScenarioName => Name ?? Kind;

    /// <summary>hold, echo, echo-closed, probe, flood or never-reading.</summary>
    [JsonIgnore]
    public string Kind => KindName ?? Scenario switch
    {
        ScenarioKind.Hold => "hold",
        ScenarioKind.Flood => "flood",
        ScenarioKind.NeverReading => "never-reading",
        _ => Closed ? "echo-closed" : "echo",
    };

    /// <summary>Whether each connection's own progress is kept for the fairness figures (not for idle holds: a
    /// million connections would carry a million counters for nothing).</summary>
    [JsonIgnore]
    public bool TracksFairness => Scenario != ScenarioKind.Hold || Heartbeat is not null;
}
