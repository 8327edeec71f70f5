using System.Globalization;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Thresholds;

namespace Shootout.LoadGen.Cli;

/// <summary>How the run is carried out, apart from the load itself.</summary>
internal sealed record RunSettings(string ReportDir, int MetricsPort, int? Agents)
{
    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];
}

/// <summary>Turns settings into a checked plan; every rejection names the option.</summary>
internal static class PlanBuilder
{
    public static (LoadPlan Plan, RunSettings Run) Build(Settings s, IDictionary<string, string?> env)
    {
        var scenario = s.Scenario?.ToLowerInvariant() switch
        {
            "hold" => ScenarioKind.Hold,
            "echo" => ScenarioKind.Echo,
            "echo-closed" => ScenarioKind.Echo,
            null => throw new UsageException("scenario: give 'echo' or 'hold' (command or config field 'scenario')"),
            var other => throw new UsageException($"scenario: unknown scenario '{other}' (echo, hold)"),
        };
        bool closed = s.Closed ?? s.Scenario?.Equals("echo-closed", StringComparison.OrdinalIgnoreCase) ?? false;
        if (scenario == ScenarioKind.Hold && closed) throw new UsageException("--closed: only applies to echo");
        if (s.Target is null) throw new UsageException("--target: required (e.g. --target 127.0.0.1:7000)");
        int spread = s.DestAddresses ?? 1;
        if (spread < 1) throw new UsageException($"--dest-addresses: must be at least 1 (got {spread})");
        var targets = TargetList.Expand(s.Target, spread, s.AllowRemote ?? false, "--target");

        int messageSize = s.MessageSize ?? 32;
        if (messageSize is < 1 or > 1 << 20) throw new UsageException($"--message-size: must be between 1 and 1048576 (got {messageSize})");
        double connectRate = s.ConnectRate ?? 10_000;
        if (!(connectRate > 0)) throw new UsageException($"--connect-rate: must be above 0 (got {F(connectRate)})");
        var duration = s.Duration ?? TimeSpan.FromSeconds(10);
        if (duration <= TimeSpan.Zero && s.Phases is null) throw new UsageException("--duration: must be longer than zero");
        if (s.Heartbeat is { } hb && hb <= TimeSpan.Zero) throw new UsageException("--heartbeat: must be longer than zero");
        if (s.Heartbeat is not null && scenario != ScenarioKind.Hold) throw new UsageException("--heartbeat: only applies to hold");
        var connectTimeout = s.ConnectTimeout ?? TimeSpan.FromSeconds(5);
        if (connectTimeout <= TimeSpan.Zero) throw new UsageException("--connect-timeout: must be longer than zero");
        var messageTimeout = s.MessageTimeout ?? TimeSpan.FromSeconds(10);
        if (messageTimeout <= TimeSpan.Zero) throw new UsageException("--message-timeout: must be longer than zero");
        if (s.Connections is < 1) throw new UsageException($"--connections: must be at least 1 (got {s.Connections})");
        if (s.Rate is { } r && !(r > 0)) throw new UsageException($"--rate: must be above 0 (got {F(r)})");

        bool open = scenario == ScenarioKind.Echo && !closed;
        IReadOnlyList<LoadPhase> phases;
        int connections;
        if (s.Phases is { } configured)
        {
            for (int i = 0; i < configured.Count; i++)
            {
                var p = configured[i];
                if (open && p.IsConstant)
                    throw new UsageException($"config field 'load_simulations[{i}].{p.Kind}': the open model (echo) takes Inject, "
                        + $"RampingInject or Pause; use --closed or 'closed': true for {p.Kind}");
                if (!open && p.IsInjection)
                    throw new UsageException($"config field 'load_simulations[{i}].{p.Kind}': "
                        + $"{(closed ? "echo --closed" : "hold")} takes RampingConstant, KeepConstant or Pause");
            }
            phases = configured;
            int peak = (int)configured.Where(p => p.IsConstant).Select(p => p.Value).DefaultIfEmpty(0).Max();
            connections = open ? s.Connections ?? 100 : Math.Max(peak, 0);
            if (!open && peak < 1) throw new UsageException("config field 'load_simulations': needs a KeepConstant or RampingConstant with copies above 0");
        }
        else
        {
            connections = s.Connections ?? (scenario == ScenarioKind.Hold ? 1000 : 100);
            if (scenario == ScenarioKind.Hold)
                phases =
                [
                    new LoadPhase(PhaseKind.RampingConstant, connections, TimeSpan.FromSeconds(1),
                        TimeSpan.FromSeconds(Math.Max(0.001, connections / connectRate))),
                    new LoadPhase(PhaseKind.KeepConstant, connections, TimeSpan.FromSeconds(1), duration),
                ];
            else if (closed)
                phases = [new LoadPhase(PhaseKind.KeepConstant, connections, TimeSpan.FromSeconds(1), duration)];
            else
                phases = [new LoadPhase(PhaseKind.Inject, s.Rate ?? 1000, TimeSpan.FromSeconds(1), duration)];
        }

        var share = ReplicaShare(s, env);
        int metricsPort = s.MetricsPort ?? 0;
        if (metricsPort is < 0 or > 65535) throw new UsageException($"--metrics-port: must be between 0 and 65535 (got {metricsPort})");
        int? agents = s.Agents switch
        {
            null or "auto" => null,
            var a when int.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n <= 1024 => n,
            var a => throw new UsageException($"--agents: '{a}' is not 'auto' or a number from 0 to 1024"),
        };

        var sources = s.SourceAddresses is { } list ? SourceAddresses.Parse(list, "--source-addresses")
            : SourceAddresses.AutoForLoopback(targets, connections);
        if (s.SamplesLimit is < 1) throw new UsageException($"--samples-limit: must be at least 1 (got {s.SamplesLimit})");
        if (s.Samples is { } samples)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(samples));
            if (dir is null || !Directory.Exists(dir)) throw new UsageException($"--samples: directory of '{samples}' does not exist");
        }

        var plan = new LoadPlan
        {
            Scenario = scenario,
            TargetLabel = s.Target,
            Targets = targets,
            Connections = connections,
            ConnectRate = connectRate,
            Rate = open ? phases.Where(p => p.IsInjection).Select(p => p.RatePerSecond).DefaultIfEmpty(0).Max() : 0,
            MessageSize = messageSize,
            Closed = closed,
            Heartbeat = s.Heartbeat,
            ConnectTimeout = connectTimeout,
            MessageTimeout = messageTimeout,
            Phases = phases,
            Share = share,
            SourceAddresses = sources,
            Samples = s.Samples is null ? null : Path.GetFullPath(s.Samples),
            SamplesLimit = s.SamplesLimit ?? 1_000_000,
            ServerCpus = s.ServerCpus,
        };
        var thresholds = (s.Thresholds ?? []).Select(t => t with
        {
            AbortOnFail = t.AbortOnFail || (s.AbortOnFail ?? false),
            AbortDelay = t.AbortDelay > TimeSpan.Zero ? t.AbortDelay : s.AbortDelay ?? TimeSpan.Zero,
        }).ToList();
        foreach (var t in thresholds) CheckApplies(t, plan);
        return (plan, new RunSettings(s.ReportDir ?? "loadgen-report", metricsPort, agents) { Thresholds = thresholds });
    }

    /// <summary>A threshold on a figure this scenario never produces would fail every run: refuse it up front.</summary>
    private static void CheckApplies(Threshold t, LoadPlan plan)
    {
        string name = t.Metric.Name;
        bool messages = plan.Scenario == ScenarioKind.Echo || plan.Heartbeat is not null;
        string? problem = name switch
        {
            "rate" when !plan.OpenModel => "rate needs a requested rate, which only echo's open model (--rate) has",
            _ when name.StartsWith("send_lag_", StringComparison.Ordinal) && !plan.OpenModel
                => "send lag is measured in the open model only (echo without --closed)",
            _ when !messages && !name.StartsWith("connect", StringComparison.Ordinal) && name != "errors"
                => $"{name} needs messages, and an idle hold sends none (add --heartbeat)",
            _ => null,
        };
        if (problem is not null) throw new UsageException($"--threshold: '{t.Expression}': {problem}");
    }

    /// <summary>A replica's share comes from flags or, as Kubernetes Indexed Jobs and compose set them, the
    /// environment: SHOOTOUT_LOADGEN_REPLICA_INDEX (else JOB_COMPLETION_INDEX) and SHOOTOUT_LOADGEN_REPLICAS.</summary>
    private static Share ReplicaShare(Settings s, IDictionary<string, string?> env)
    {
        int count = s.ReplicaCount ?? EnvInt(env, "SHOOTOUT_LOADGEN_REPLICAS", "--replica-count") ?? 1;
        int index = s.ReplicaIndex ?? EnvInt(env, "SHOOTOUT_LOADGEN_REPLICA_INDEX", "--replica-index")
                    ?? EnvInt(env, "JOB_COMPLETION_INDEX", "--replica-index") ?? 0;
        if (count < 1) throw new UsageException($"--replica-count: must be at least 1 (got {count})");
        if (index < 0 || index >= count) throw new UsageException($"--replica-index: must be from 0 to {count - 1} (got {index})");
        return new Share(index, count);
    }

    private static int? EnvInt(IDictionary<string, string?> env, string name, string option)
    {
        if (!env.TryGetValue(name, out var v) || string.IsNullOrWhiteSpace(v)) return null;
        return int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n : throw new UsageException($"{option}: environment {name}='{v}' is not a number");
    }

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
}
