using System.Text.Json.Serialization;

namespace Shootout.LoadGen.Plan;

internal enum ScenarioKind { Hold, Echo }

/// <summary>Everything one run needs, as the command line and config file settled it. Serialisable, so the
/// coordinator can hand it to agent processes unchanged.</summary>
internal sealed record LoadPlan
{
    public required ScenarioKind Scenario { get; init; }

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
    public string ScenarioName => Scenario == ScenarioKind.Hold ? "hold" : Closed ? "echo-closed" : "echo";
}
