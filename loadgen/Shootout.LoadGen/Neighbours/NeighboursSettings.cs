using System.Text.Json;
using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Plan;
using static Shootout.LoadGen.Cli.ConfigFields;

namespace Shootout.LoadGen.Neighbours;

/// <summary>What the user asked for, from flags and/or a JSON config file (the same names in snake_case);
/// unset values are null so a flag overrides its config field.</summary>
// Its own record, not Cli/Settings: none of the load scenarios' fields apply here (phases, thresholds, agents); the JSON
// readers and report writers are shared (ConfigFields, ReportWriter).
internal sealed record NeighboursSettings
{
    public string? Target { get; init; }
    public int? Floods { get; init; }
    public long? MessageSize { get; init; }
    public long? Window { get; init; }
    public int? NeverReading { get; init; }
    public int? Probes { get; init; }
    public TimeSpan? ProbeInterval { get; init; }
    public int? ProbeSize { get; init; }
    public TimeSpan? Warmup { get; init; }
    public TimeSpan? Duration { get; init; }
    public TimeSpan? ConnectTimeout { get; init; }
    public TimeSpan? MessageTimeout { get; init; }
    public bool? AllowRemote { get; init; }
    public bool? InProcess { get; init; }
    public int? NeighboursNice { get; init; }
    public int? ProbesNice { get; init; }
    public string? ReportDir { get; init; }
    public int? MetricsPort { get; init; }

    public NeighboursSettings OverlaidBy(NeighboursSettings top) => new()
    {
        Target = top.Target ?? Target,
        Floods = top.Floods ?? Floods,
        MessageSize = top.MessageSize ?? MessageSize,
        Window = top.Window ?? Window,
        NeverReading = top.NeverReading ?? NeverReading,
        Probes = top.Probes ?? Probes,
        ProbeInterval = top.ProbeInterval ?? ProbeInterval,
        ProbeSize = top.ProbeSize ?? ProbeSize,
        Warmup = top.Warmup ?? Warmup,
        Duration = top.Duration ?? Duration,
        ConnectTimeout = top.ConnectTimeout ?? ConnectTimeout,
        MessageTimeout = top.MessageTimeout ?? MessageTimeout,
        AllowRemote = top.AllowRemote ?? AllowRemote,
        InProcess = top.InProcess ?? InProcess,
        NeighboursNice = top.NeighboursNice ?? NeighboursNice,
        ProbesNice = top.ProbesNice ?? ProbesNice,
        ReportDir = top.ReportDir ?? ReportDir,
        MetricsPort = top.MetricsPort ?? MetricsPort,
    };

    /// <summary>A JSON config: the flags' names in snake_case ("floods", "probe_interval": "10ms", "window": "256KiB").
    /// "scenario", if present, must be "neighbours". Every error names its field.</summary>
    public static NeighboursSettings Load(string path)
    {
        using var doc = ConfigFields.Read(path);
        return Parse(doc.RootElement);
    }

    public static NeighboursSettings Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Field("(root)", "must be a JSON object");
        var s = new NeighboursSettings();
        foreach (var p in root.EnumerateObject())
        {
            string f = p.Name;
            var v = p.Value;
            s = f.Replace("-", "_").ToLowerInvariant() switch
            {
                "scenario" => Str(v, f) is "neighbours" or "neighbors" ? s : throw Field(f, $"'{Str(v, f)}' does not match the 'neighbours' command"),
                "target" => s with { Target = StrOrList(v, f) },
                "floods" => s with { Floods = Int(v, f) },
                "message_size" => s with { MessageSize = Size(v, f) },
                "window" => s with { Window = Size(v, f) },
                "never_reading" => s with { NeverReading = Int(v, f) },
                "probes" => s with { Probes = Int(v, f) },
                "probe_interval" => s with { ProbeInterval = Dur(v, f) },
                "probe_size" => s with { ProbeSize = Int(v, f) },
                "warmup" => s with { Warmup = Dur(v, f) },
                "duration" => s with { Duration = Dur(v, f) },
                "connect_timeout" => s with { ConnectTimeout = Dur(v, f) },
                "message_timeout" => s with { MessageTimeout = Dur(v, f) },
                "allow_remote" => s with { AllowRemote = Bool(v, f) },
                "in_process" => s with { InProcess = Bool(v, f) },
                "neighbours_nice" => s with { NeighboursNice = Int(v, f) },
                "probes_nice" => s with { ProbesNice = Int(v, f) },
                "report_dir" => s with { ReportDir = Str(v, f) },
                "metrics_port" => s with { MetricsPort = Int(v, f) },
                _ => throw Field(f, "unknown field"),
            };
        }
        return s;
    }

    /// <summary>Checks every value; a rejection names the option (the config field says the same name in snake_case).</summary>
    public (NeighboursPlan Plan, string ReportDir, int MetricsPort) Build()
    {
        if (Target is null) throw new UsageException("--target: required (e.g. --target 127.0.0.1:7000)");
        var targets = TargetList.Expand(Target, 1, AllowRemote ?? false, "--target");
        int floods = Range(Floods ?? 16, "--floods", 0, 10_000);
        int neverReading = Range(NeverReading ?? 0, "--never-reading", 0, 10_000);
        int probes = Range(Probes ?? 100, "--probes", 1, 10_000);
        int messageSize = (int)SizeIn(MessageSize, 64 * 1024, "--message-size", 1, 16 << 20);
        int window = (int)SizeIn(Window, 4L * messageSize, "--window", 1, 64 << 20);
        if (window < messageSize) throw new UsageException($"--window: must be at least --message-size ({messageSize} B), got {window} B");
        int probeSize = Range(ProbeSize ?? 9, "--probe-size", 1, 65536);
        var interval = Positive(ProbeInterval ?? TimeSpan.FromMilliseconds(10), "--probe-interval");
        if (interval < TimeSpan.FromMilliseconds(0.1)) throw new UsageException("--probe-interval: must be at least 100us");
        var duration = Positive(Duration ?? TimeSpan.FromSeconds(10), "--duration");
        var warmup = Warmup ?? TimeSpan.FromSeconds(1);
        var connectTimeout = Positive(ConnectTimeout ?? TimeSpan.FromSeconds(5), "--connect-timeout");
        var messageTimeout = Positive(MessageTimeout ?? TimeSpan.FromSeconds(10), "--message-timeout");
        int metricsPort = Range(MetricsPort ?? 0, "--metrics-port", 0, 65535);
        int neighboursNice = Range(NeighboursNice ?? 10, "--neighbours-nice", 0, 19);
        int probesNice = Range(ProbesNice ?? -5, "--probes-nice", -20, 0);
        var plan = new NeighboursPlan
        {
            TargetLabel = Target,
            Targets = targets,
            Floods = floods,
            MessageSize = messageSize,
            Window = window,
            NeverReading = neverReading,
            Probes = probes,
            ProbeInterval = interval,
            ProbeSize = probeSize,
            Warmup = warmup,
            Duration = duration,
            ConnectTimeout = connectTimeout,
            MessageTimeout = messageTimeout,
            Layout = InProcess == true ? NeighboursLayout.SeparateLoops : NeighboursLayout.SeparateProcesses,
            NeighboursNice = neighboursNice,
            ProbesNice = probesNice,
        };
        return (plan, ReportDir ?? "loadgen-report", metricsPort);
    }

    private static int Range(int v, string name, int min, int max) =>
        v >= min && v <= max ? v : throw new UsageException($"--{name.TrimStart('-')}: must be between {min} and {max} (got {v})");

    private static TimeSpan Positive(TimeSpan v, string name) =>
        v > TimeSpan.Zero ? v : throw new UsageException($"{name}: must be longer than zero");

    private static long SizeIn(long? value, long fallback, string name, long min, long max)
    {
        long n = value ?? fallback;
        return n >= min && n <= max ? n : throw new UsageException($"{name}: must be between {min} and {max} bytes (got {n})");
    }
}
