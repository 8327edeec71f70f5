using System.Text.Json;
using Shootout.LoadGen.Plan;
using static Shootout.LoadGen.Cli.ConfigFields;

namespace Shootout.LoadGen.Cli;

/// <summary>
/// The <c>neighbours</c> command's flags (and its flat JSON config, the same names in snake_case): light probes
/// beside floods and writers that never read. They only say how many of each and their shapes; <see cref="ToRun"/>
/// turns them into a run of three scenarios (<c>probes</c>, <c>floods</c>, <c>never-reading</c>) that the scenario
/// engine runs as it runs any config. Unset values are null so a flag overrides its config field.
/// </summary>
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
    public string? ServerCpus { get; init; }

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
        ServerCpus = top.ServerCpus ?? ServerCpus,
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
                "server_cpus" => s with { ServerCpus = Str(v, f) },
                _ => throw Field(f, "unknown field"),
            };
        }
        return s;
    }

    /// <summary>The probes' scenario name in summary.json (the runner reads it by this name), the floods', the writers'.</summary>
    public const string ProbesName = "probes", FloodsName = "floods", NeverReadingName = "never-reading";

    /// <summary>
    /// The three scenarios, checked; a rejection names the option (the config field says the same in snake_case).
    /// The floods and writers start at once and run the warm-up and the measured window; the probes connect at once
    /// and pause for the warm-up, so they are measured beside floods in their steady state. Each role at its own
    /// nice value, on event loops of its own (docs/fairness.md).
    /// </summary>
    public Settings ToRun()
    {
        if (Target is null) throw new UsageException("--target: required (e.g. --target 127.0.0.1:7000)");
        int floods = Range(Floods ?? 16, "--floods", 0, 10_000);
        int neverReading = Range(NeverReading ?? 0, "--never-reading", 0, 10_000);
        int probes = Range(Probes ?? 100, "--probes", 1, 10_000);
        int messageSize = (int)SizeIn(MessageSize, 64 * 1024, "--message-size", 1, 1 << 20);
        int window = (int)SizeIn(Window, 4L * messageSize, "--window", 1, 64 << 20);
        if (window < messageSize) throw new UsageException($"--window: must be at least --message-size ({messageSize} B), got {window} B");
        int probeSize = Range(ProbeSize ?? 9, "--probe-size", 1, 65536);
        var interval = Positive(ProbeInterval ?? TimeSpan.FromMilliseconds(10), "--probe-interval");
        if (interval < TimeSpan.FromMilliseconds(0.1)) throw new UsageException("--probe-interval: must be at least 100us");
        var duration = Positive(Duration ?? TimeSpan.FromSeconds(10), "--duration");
        var warmup = Warmup ?? TimeSpan.FromSeconds(1);
        if (warmup < TimeSpan.Zero) throw new UsageException("--warmup: must not be negative");
        int metricsPort = Range(MetricsPort ?? 0, "--metrics-port", 0, 65535);
        int neighboursNice = Range(NeighboursNice ?? 10, "--neighbours-nice", 0, 19);
        int probesNice = Range(ProbesNice ?? -5, "--probes-nice", -20, 0);

        // The neighbours in child processes by default: a busy flood's client cannot then hold up a probe's loop or runtime.
        string process = InProcess == true ? "shared" : "own";
        double rate = probes / interval.TotalSeconds;
        var inject = new LoadPhase(PhaseKind.Inject, rate, TimeSpan.FromSeconds(1), duration);
        var scenarios = new List<Settings>
        {
            new()
            {
                Name = ProbesName, Scenario = "probe", Connections = probes, ProbeInterval = interval, ProbeSize = probeSize, Nice = probesNice,
                // This process, which the neighbours (in their own) leave to the probes, as the measurement always had them.
                Process = "shared",
                Phases = warmup > TimeSpan.Zero ? [new LoadPhase(PhaseKind.Pause, 0, TimeSpan.FromSeconds(1), warmup), inject] : [inject],
            },
        };
        if (floods > 0)
            scenarios.Add(new Settings
            {
                Name = FloodsName, Scenario = "flood", Connections = floods, MessageSize = messageSize, Window = window, Nice = neighboursNice,
                Duration = warmup + duration, Process = process,
            });
        if (neverReading > 0)
            scenarios.Add(new Settings
            {
                Name = NeverReadingName, Scenario = "never-reading", Connections = neverReading, MessageSize = messageSize, Nice = neighboursNice,
                Duration = warmup + duration, Process = process,
            });
        return new Settings
        {
            Target = Target,
            AllowRemote = AllowRemote,
            ConnectTimeout = ConnectTimeout,
            MessageTimeout = MessageTimeout,
            ReportDir = ReportDir,
            MetricsPort = metricsPort,
            ServerCpus = ServerCpus,
            Scenarios = scenarios,
        };
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
