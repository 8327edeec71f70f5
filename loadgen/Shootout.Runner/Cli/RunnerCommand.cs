using System.CommandLine;
using System.Runtime.InteropServices;
using Shootout.Common.Cli;

namespace Shootout.Runner.Cli;

/// <summary>The command line: options, validation, and the one-line error with exit code 2.</summary>
internal static class RunnerCommand
{
    public const int UsageError = 2;

    private static readonly CpuOptions Cpus = new("--loadgen-cpus", "the load generator and its agents");
    private static readonly Option<string> Engines = new("--engines")
    {
        Description = "Engines to compare, in order, comma-separated (none: only the references and contenders).",
        DefaultValueFactory = _ => string.Join(',', RunnerSettings.AllEngines),
        HelpName = "threads,async,epoll,uring|none",
    };
    private static readonly Option<string> ReferencesOption = new("--references")
    {
        Description = "Reference servers measured after the engines, the same way, comma-separated: c (epoll), " +
                      "go (goroutine per connection), rust (std::thread per connection), or none. Built by `make references` " +
                      "into bin/references/; one not built is skipped with the reason.",
        DefaultValueFactory = _ => string.Join(',', Run.References.Names),
        HelpName = "c,go,rust|none",
    };
    private static readonly Option<string[]> Contender = new("--contender")
    {
        Description = "Your own echo server as a row, measured as the engines are (repeatable): NAME='COMMAND', run by /bin/sh " +
                      "with {port} substituted ({copy} and {copies}: started once per copy, sharing the port with SO_REUSEPORT).",
        HelpName = "NAME='COMMAND'",
        Arity = ArgumentArity.ZeroOrMore,
    };
    private static readonly Option<string?> ContendersFile = new("--contenders-file")
    {
        Description = "A file of contenders, one NAME='COMMAND' a line (blank lines and # comments ignored), measured after any --contender.",
        HelpName = "PATH",
    };
    private static readonly Option<string?> ReferencesDir = new("--references-dir")
    {
        Description = "Where the reference servers are (default: references/ next to this executable).",
    };
    private static readonly Option<int> Connections = Ranged("--connections",
        "Idle connections each engine holds (past one process's open-file limit, the engine runs as several SO_REUSEPORT processes).",
        20_000, 1, 10_000_000);
    private static readonly Option<double> ConnectRate = Rate("--connect-rate",
        "Connections opened per second while ramping (the measured connect rate is what the engine achieves).",
        50_000);
    private static readonly Option<int> EchoConnections = Ranged("--echo-connections", "Connections carrying the constant-rate echo.", 100, 1, 100_000);
    private static readonly Option<double> EchoRate = Rate("--echo-rate", "Echo messages per second over all echo connections (open model).", 5_000);
    private static readonly Option<TimeSpan> EchoDuration = Duration("--echo-duration", "How long the constant-rate echo runs.", TimeSpan.FromSeconds(5));
    private static readonly Option<int> ClosedConnections = Ranged("--closed-connections",
        "Connections in the closed-loop maximum-throughput phase.",
        100, 1, 100_000);
    private static readonly Option<TimeSpan> ClosedDuration = Duration("--closed-duration", "How long the closed-loop phase runs.", TimeSpan.FromSeconds(5));
    private static readonly Option<int> MessageSize = Ranged("--message-size", "Bytes per echo message.", 32, 1, 1 << 20);
    private static readonly Option<int> Warmup = Ranged("--warmup-connections",
        "Connections opened, echoed on and closed before the baseline is read (the same for every engine; at least 100 per server copy).",
        200, 0, 10_000);
    private static readonly Option<TimeSpan> RampStall = Duration("--ramp-stall",
        "Give up ramping after this long without one more connection held (the engine then fails: it cannot reach --connections).",
        TimeSpan.FromSeconds(15));
    private static readonly Option<double> MemoryReserve = new("--memory-reserve")
    {
        Description = "GiB of MemAvailable kept free: an engine's ramp stops before the machine goes below it " +
                      "(and the engine is torn down at half of it); the report names memory as the wall.",
        DefaultValueFactory = _ => 3,
        HelpName = "GiB",
        CustomParser = r => OptionParsers.Number(r, 3, 0, 1024),
    };
    private static readonly Option<TimeSpan> RampTimeout = Duration("--ramp-timeout",
        "Longest an engine may ramp; then the ramp stops where it is and the report says so.",
        TimeSpan.FromMinutes(10));
    private static readonly Option<string> ResultsDir = new("--results-dir")
    {
        Description = "Where results/<timestamp>/ and results/latest go.",
        DefaultValueFactory = _ => "results",
    };
    private static readonly Option<bool> NoPrometheus = new("--no-prometheus")
    {
        Description = "Do not start a local Prometheus even when the prometheus binary is on PATH.",
    };
    private static readonly Option<int> PrometheusPort = Ranged("--prometheus-port",
        "Port for the local Prometheus (the next free one if taken).",
        9090, 1, 65535);
    private static readonly Option<bool> NoSysctl = new("--no-sysctl") { Description = "Do not raise kernel limits even as root (only report them)." };
    private static readonly Option<bool> KeepSysctl = new("--keep-sysctl")
    {
        Description = "Leave the kernel limits the run raised in place afterwards (by default they are put back).",
    };
    private static readonly Option<bool> Plain = new("--plain") { Description = "Plain progress lines even on a terminal." };
    private static readonly Option<string?> Server = new("--server") { Description = "Path of shootout-server (default: next to this executable)." };
    private static readonly Option<string?> LoadGen = new("--loadgen") { Description = "Path of shootout-loadgen (default: next to this executable)." };
    private static readonly Option<string?> ServerArgs = new("--server-args")
    {
        Description = "Extra arguments for every server process, space-separated (e.g. \"--event-loops 2\").",
    };

    public static async Task<int> RunAsync(string[] args, Func<RunnerSettings, CancellationToken, Task<int>> run)
    {
        Engines.Validators.Add(r =>
        {
            var names = Split(r.GetValueOrDefault<string>());
            var unknown = names.FirstOrDefault(n => !RunnerSettings.AllEngines.Contains(n));
            if (names.SequenceEqual(["none"]))
                return;
            if (names.Count == 0)
                r.AddError("--engines must name at least one of threads, async, epoll, uring (or none, with --contender)");
            else if (unknown is not null)
                r.AddError($"--engines: unknown engine '{unknown}' (threads, async, epoll, uring)");
            else if (names.Distinct().Count() != names.Count)
                r.AddError("--engines: an engine is named twice");
        });
        ReferencesOption.Validators.Add(r =>
        {
            var names = Split(r.GetValueOrDefault<string>());
            var unknown = names.FirstOrDefault(n => !Run.References.Names.Contains(n));
            if (names.SequenceEqual(["none"]))
                return;
            if (unknown is not null)
                r.AddError($"--references: unknown reference '{unknown}' ({string.Join(", ", Run.References.Names)})");
            else if (names.Distinct().Count() != names.Count)
                r.AddError("--references: a reference is named twice");
        });
        var root = new RootCommand("Echo Server Shootout runner: each engine in turn holds idle connections, echoes, and is compared.")
        {
            Engines, ReferencesOption, ReferencesDir, Contender, ContendersFile, Connections, ConnectRate,
            EchoConnections, EchoRate, EchoDuration, ClosedConnections, ClosedDuration, MessageSize,
            Warmup, RampStall, MemoryReserve, RampTimeout, ResultsDir, NoPrometheus, PrometheusPort,
            NoSysctl, KeepSysctl, Plain, Server, LoadGen, ServerArgs,
        };
        NeighboursOptions.AddTo(root);
        Cpus.AddTo(root);
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"shootout-runner: {parsed.Errors[0].Message} (see --help)");
            return UsageError;
        }
        // No action of our own is set on the command: one present is --help or --version.
        if (parsed.Action is not null)
            return await parsed.InvokeAsync();

        if (ContenderSettings.Read(parsed.GetValue(Contender) ?? [], parsed.GetValue(ContendersFile), out var contenderError) is not { } contenders)
        {
            Console.Error.WriteLine($"shootout-runner: {contenderError} (see --help)");
            return UsageError;
        }
        var defaults = new RunnerSettings();
        var settings = new RunnerSettings
        {
            Engines = Split(parsed.GetValue(Engines)) is ["none"] ? [] : Split(parsed.GetValue(Engines)),
            References = Split(parsed.GetValue(ReferencesOption)) is ["none"] ? [] : Split(parsed.GetValue(ReferencesOption)),
            Contenders = contenders,
            ReferencesDir = parsed.GetValue(ReferencesDir) ?? defaults.ReferencesDir,
            Connections = parsed.GetValue(Connections),
            ConnectRate = parsed.GetValue(ConnectRate),
            EchoConnections = parsed.GetValue(EchoConnections),
            EchoRate = parsed.GetValue(EchoRate),
            EchoDuration = parsed.GetValue(EchoDuration),
            ClosedConnections = parsed.GetValue(ClosedConnections),
            ClosedDuration = parsed.GetValue(ClosedDuration),
            MessageSize = parsed.GetValue(MessageSize),
            WarmupConnections = parsed.GetValue(Warmup),
            RampStall = parsed.GetValue(RampStall),
            MemoryReserveBytes = (long)(parsed.GetValue(MemoryReserve) * (1L << 30)),
            RampTimeout = parsed.GetValue(RampTimeout),
            ResultsDir = parsed.GetValue(ResultsDir)!,
            Prometheus = !parsed.GetValue(NoPrometheus),
            PrometheusPort = parsed.GetValue(PrometheusPort),
            TuneSysctls = !parsed.GetValue(NoSysctl),
            RestoreSysctls = !parsed.GetValue(KeepSysctl),
            Plain = parsed.GetValue(Plain),
            ServerPath = parsed.GetValue(Server) ?? defaults.ServerPath,
            LoadGenPath = parsed.GetValue(LoadGen) ?? defaults.LoadGenPath,
            ServerArgs = (parsed.GetValue(ServerArgs) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            Neighbours = NeighboursOptions.Read(parsed),
            Cpus = Cpus.Read(parsed),
        };
        if (settings.Engines.Count == 0 && settings.References.Count == 0 && settings.Contenders.Count == 0)
        {
            Console.Error.WriteLine("shootout-runner: --engines none: nothing left to measure (add --references or --contender)");
            return UsageError;
        }
        foreach (var (option, path) in new[] { ("--server", settings.ServerPath), ("--loadgen", settings.LoadGenPath) })
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"shootout-runner: {option}: no executable at '{path}' (run `make build` first)");
                return UsageError;
            }
        }
        using var cts = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        return await run(settings, cts.Token);
    }

    private static List<string> Split(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();

    internal static Option<int> Ranged(string name, string description, int fallback, int min, int max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => OptionParsers.Whole(r, fallback, min, max),
    };

    private static Option<double> Rate(string name, string description, double fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => OptionParsers.Rate(r, fallback, max: 10_000_000),
    };

    internal static Option<TimeSpan> Duration(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r => OptionParsers.Duration(r, fallback, max: TimeSpan.FromHours(1)),
    };
}
