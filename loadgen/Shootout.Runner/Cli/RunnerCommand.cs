using System.CommandLine;
using System.Globalization;

namespace Shootout.Runner.Cli;

/// <summary>The command line: options, validation, and the one-line error with exit code 2.</summary>
internal static class RunnerCommand
{
    public const int UsageError = 2;

    private static readonly Option<string> Engines = new("--engines")
    {
        Description = "Engines to compare, in order, comma-separated.",
        DefaultValueFactory = _ => string.Join(',', RunnerSettings.AllEngines),
        HelpName = "threads,async,epoll,uring",
    };
    private static readonly Option<int> Connections = Ranged("--connections", "Idle connections each engine holds (past one process's open-file limit, the engine runs as several SO_REUSEPORT processes).", 20_000, 1, 10_000_000);
    private static readonly Option<double> ConnectRate = Rate("--connect-rate", "Connections opened per second while ramping (the measured connect rate is what the engine achieves).", 50_000);
    private static readonly Option<int> EchoConnections = Ranged("--echo-connections", "Connections carrying the constant-rate echo.", 100, 1, 100_000);
    private static readonly Option<double> EchoRate = Rate("--echo-rate", "Echo messages per second over all echo connections (open model).", 5_000);
    private static readonly Option<TimeSpan> EchoDuration = Duration("--echo-duration", "How long the constant-rate echo runs.", TimeSpan.FromSeconds(5));
    private static readonly Option<int> ClosedConnections = Ranged("--closed-connections", "Connections in the closed-loop maximum-throughput phase.", 100, 1, 100_000);
    private static readonly Option<TimeSpan> ClosedDuration = Duration("--closed-duration", "How long the closed-loop phase runs.", TimeSpan.FromSeconds(5));
    private static readonly Option<int> MessageSize = Ranged("--message-size", "Bytes per echo message.", 32, 1, 1 << 20);
    private static readonly Option<int> Warmup = Ranged("--warmup-connections", "Connections opened, echoed on and closed before the baseline is read (the same for every engine; at least 100 per server copy).", 200, 0, 10_000);
    private static readonly Option<TimeSpan> RampStall = Duration("--ramp-stall", "Give up ramping after this long without one more connection held (the engine then fails: it cannot reach --connections).", TimeSpan.FromSeconds(15));
    private static readonly Option<double> MemoryReserve = new("--memory-reserve")
    {
        Description = "GiB of MemAvailable kept free: an engine's ramp stops before the machine goes below it (and the engine is torn down at half of it); the report names memory as the wall.",
        DefaultValueFactory = _ => 3,
        HelpName = "GiB",
        CustomParser = r =>
        {
            string text = r.Tokens.Single().Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v >= 0 && v <= 1024)
                return v;
            r.AddError($"--memory-reserve must be a number of GiB from 0 to 1024, got '{text}'");
            return 3;
        },
    };
    private static readonly Option<TimeSpan> RampTimeout = Duration("--ramp-timeout", "Longest an engine may ramp; then the ramp stops where it is and the report says so.", TimeSpan.FromMinutes(10));
    private static readonly Option<string> ResultsDir = new("--results-dir") { Description = "Where results/<timestamp>/ and results/latest go.", DefaultValueFactory = _ => "results" };
    private static readonly Option<bool> NoPrometheus = new("--no-prometheus") { Description = "Do not start a local Prometheus even when the prometheus binary is on PATH." };
    private static readonly Option<int> PrometheusPort = Ranged("--prometheus-port", "Port for the local Prometheus (the next free one if taken).", 9090, 1, 65535);
    private static readonly Option<bool> NoSysctl = new("--no-sysctl") { Description = "Do not raise kernel limits even as root (only report them)." };
    private static readonly Option<bool> KeepSysctl = new("--keep-sysctl") { Description = "Leave the kernel limits the run raised in place afterwards (by default they are put back)." };
    private static readonly Option<bool> Plain = new("--plain") { Description = "Plain progress lines even on a terminal." };
    private static readonly Option<string?> Server = new("--server") { Description = "Path of shootout-server (default: next to this executable)." };
    private static readonly Option<string?> LoadGen = new("--loadgen") { Description = "Path of shootout-loadgen (default: next to this executable)." };
    private static readonly Option<string?> ServerArgs = new("--server-args") { Description = "Extra arguments for every server process, space-separated (e.g. \"--event-loops 2\")." };

    public static async Task<int> RunAsync(string[] args, Func<RunnerSettings, CancellationToken, Task<int>> run)
    {
        Engines.Validators.Add(r =>
        {
            var names = Split(r.GetValueOrDefault<string>());
            var unknown = names.FirstOrDefault(n => !RunnerSettings.AllEngines.Contains(n));
            if (names.Count == 0)
                r.AddError("--engines must name at least one of threads, async, epoll, uring");
            else if (unknown is not null)
                r.AddError($"--engines: unknown engine '{unknown}' (threads, async, epoll, uring)");
            else if (names.Distinct().Count() != names.Count)
                r.AddError("--engines: an engine is named twice");
        });
        var root = new RootCommand("Echo Server Shootout runner: each engine in turn holds idle connections, echoes, and is compared.")
        {
            Engines, Connections, ConnectRate, EchoConnections, EchoRate, EchoDuration, ClosedConnections, ClosedDuration,
            MessageSize, Warmup, RampStall, MemoryReserve, RampTimeout, ResultsDir, NoPrometheus, PrometheusPort, NoSysctl, KeepSysctl, Plain, Server, LoadGen, ServerArgs,
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"shootout-runner: {parsed.Errors[0].Message} (see --help)");
            return UsageError;
        }
        // No action of our own is set on the command: one present is --help or --version.
        if (parsed.Action is not null)
            return await parsed.InvokeAsync();

        var defaults = new RunnerSettings();
        var settings = new RunnerSettings
        {
            Engines = Split(parsed.GetValue(Engines)),
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
        };
        foreach (var (option, path) in new[] { ("--server", settings.ServerPath), ("--loadgen", settings.LoadGenPath) })
        {
            if (!File.Exists(path))
            {
                Console.Error.WriteLine($"shootout-runner: {option}: no executable at '{path}' (run `make build` first)");
                return UsageError;
            }
        }
        using var cts = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        return await run(settings, cts.Token);
    }

    private static List<string> Split(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();

    private static Option<int> Ranged(string name, string description, int fallback, int min, int max) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            string text = r.Tokens.Single().Value;
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
                return value;
            r.AddError($"{name} must be a whole number from {min} to {max}, got '{text}'");
            return min;
        },
    };

    private static Option<double> Rate(string name, string description, double fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            string text = r.Tokens.Single().Value;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0 && value <= 10_000_000)
                return value;
            r.AddError($"{name} must be a number above 0 (per second), got '{text}'");
            return fallback;
        },
    };

    private static Option<TimeSpan> Duration(string name, string description, TimeSpan fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            string text = r.Tokens.Single().Value;
            if (Durations.TryParse(text, out var value) && value > TimeSpan.Zero && value <= TimeSpan.FromHours(1))
                return value;
            r.AddError($"{name} must be a duration like 5s, 500ms or 2m (up to 1h), got '{text}'");
            return fallback;
        },
    };
}

/// <summary>Durations as people type them: 500ms, 5s, 2m, 1h, or plain seconds.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        (string number, double unit) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 0.001),
            _ when text.EndsWith('s') => (text[..^1], 1),
            _ when text.EndsWith('m') => (text[..^1], 60),
            _ when text.EndsWith('h') => (text[..^1], 3600),
            _ => (text, 1),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) || !double.IsFinite(n) || n < 0 || n * unit > 86_400)
            return false;
        value = TimeSpan.FromSeconds(n * unit);
        return true;
    }

    /// <summary>The loadgen's duration syntax, in milliseconds so nothing is rounded away.</summary>
    public static string ForLoadGen(TimeSpan t) => $"{(long)Math.Round(t.TotalMilliseconds)}ms";
}
