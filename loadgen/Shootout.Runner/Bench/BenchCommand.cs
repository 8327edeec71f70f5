using System.CommandLine;
using System.Runtime.InteropServices;
using Shootout.Runner.Cli;

namespace Shootout.Runner.Bench;

/// <summary>`shootout-runner bench`: its options, their checks, and the one-line error with exit code 2.</summary>
internal static class BenchCommand
{
    private static readonly Option<int> Connections = RunnerCommand.Ranged("--connections",
        "Connections held idle (never used) and then used once, per row (one C client process: at most 18,000).", 10_000, 1, 18_000);
    private static readonly Option<int> EchoConnections = RunnerCommand.Ranged("--echo-connections",
        "Connections of the closed-loop echo.", 1_000, 1, 18_000);
    private static readonly Option<int> MessageSize = RunnerCommand.Ranged("--message-size", "Bytes per echo message.", 64, 1, 1 << 20);
    private static readonly Option<int> Seconds = RunnerCommand.Ranged("--seconds", "Seconds of closed-loop echo per row.", 5, 1, 3_600);
    private static readonly Option<string> Engines = new("--engines")
    {
        Description = "Engines of shootout-server, in order, comma-separated.",
        DefaultValueFactory = _ => string.Join(',', RunnerSettings.AllEngines),
        HelpName = "threads,async,epoll,uring",
    };
    private static readonly Option<string> ReferencesOption = new("--references")
    {
        Description = "Reference rows before the engines, comma-separated, or none: c (epoll), go (goroutines), rust (threads), " +
                      "dotnet-socket (async/await on a bare .NET Socket). Built by `make bench`; one not built is skipped with the reason.",
        DefaultValueFactory = _ => string.Join(',', BenchSettings.AllReferences),
        HelpName = "c,go,rust,dotnet-socket|none",
    };
    private static readonly Option<string> ResultsDir = new("--results-dir")
    {
        Description = "Where bench-<time>/ and bench-latest go.",
        DefaultValueFactory = _ => "results",
    };
    private static readonly Option<string?> Baseline = new("--baseline")
    {
        Description = "Another build's bin/ (e.g. of the previous commit): each engine row is preceded by that build's (ENGINE@base).",
        HelpName = "BIN_DIR",
    };
    private static readonly Option<int> Rounds = RunnerCommand.Ranged("--rounds",
        "Every row this many times, alternating, every other round in reverse order (A B C C B A ...); each ratio is read per round, " +
        "then over rounds with its 95% interval.",
        BenchSettings.DefaultRounds, 1, 1_000);
    private static readonly Option<int> AcceptBursts = RunnerCommand.Ranged("--accept-bursts",
        "Accept bursts of --connections per row, each from a fresh loopback address, in one server: the row's accepts/s is their median.",
        BenchSettings.DefaultAcceptBursts, 1, 100);
    private static readonly CpuOptions Cpus = new("--client-cpus", "the C client");
    private static readonly Option<bool> NoNeighbours = new("--no-neighbours")
    {
        Description = "Skip the neighbours table (light probes beside 16 floods and a never-reading client, per engine, over the rounds).",
    };
    private static readonly Option<string?> Server = new("--server") { Description = "Path of shootout-server (default: next to this executable)." };
    private static readonly Option<string?> ReferencesDir = new("--references-dir")
    {
        Description = "Where the reference servers are (default: references/ next to this executable).",
    };
    private static readonly Option<string?> BenchClient = new("--bench-client")
    {
        Description = "Path of the C client (tests/bench/bench-client.c; default: next to this executable).",
    };

    public static async Task<int> RunAsync(string[] args)
    {
        var command = new RootCommand("shootout-runner bench: reference servers and engines side by side, alternating over rounds; " +
                                      "memory per connection, accept rate, closed-loop echo, threads, CPU per message, syscalls per message; " +
                                      "every ratio with its 95% interval.")
        {
            Connections, EchoConnections, MessageSize, Seconds, Engines, ReferencesOption, ResultsDir, Baseline, Rounds,
            AcceptBursts, NoNeighbours, Server, ReferencesDir, BenchClient,
        };
        Cpus.AddTo(command);
        var parsed = command.Parse(args);
        if (parsed.Errors.Count > 0) return Usage($"{parsed.Errors[0].Message} (see bench --help)");
        if (parsed.Action is not null) return await parsed.InvokeAsync();

        var engines = Split(parsed.GetValue(Engines));
        if (engines.Count == 0) return Usage($"--engines must name at least one of {string.Join(", ", RunnerSettings.AllEngines)}");
        if (engines.FirstOrDefault(e => !RunnerSettings.AllEngines.Contains(e)) is { } unknownEngine)
            return Usage($"--engines: unknown engine '{unknownEngine}' ({string.Join(", ", RunnerSettings.AllEngines)})");
        string referencesText = parsed.GetValue(ReferencesOption) ?? "";
        var references = referencesText.Trim() == "none" ? [] : Split(referencesText);
        if (references.FirstOrDefault(r => !BenchSettings.AllReferences.Contains(r)) is { } unknown)
            return Usage($"--references: unknown reference '{unknown}' ({string.Join(", ", BenchSettings.AllReferences)}, or none)");
        if (engines.Distinct().Count() != engines.Count || references.Distinct().Count() != references.Count)
            return Usage("--engines/--references: a row is named twice");

        var defaults = new BenchSettings();
        string? baseline = parsed.GetValue(Baseline);
        if (baseline is not null && !File.Exists(Path.Combine(baseline, "shootout-server")))
            return Usage($"--baseline {baseline} has no shootout-server");
        var settings = new BenchSettings
        {
            Connections = parsed.GetValue(Connections),
            EchoConnections = parsed.GetValue(EchoConnections),
            MessageSize = parsed.GetValue(MessageSize),
            Seconds = parsed.GetValue(Seconds),
            Engines = engines,
            References = references,
            ResultsDir = parsed.GetValue(ResultsDir)!,
            BaselineBin = baseline is null ? null : Path.GetFullPath(baseline),
            Rounds = parsed.GetValue(Rounds),
            AcceptBursts = parsed.GetValue(AcceptBursts),
            Neighbours = !parsed.GetValue(NoNeighbours),
            Cpus = Cpus.Read(parsed),
            ServerPath = parsed.GetValue(Server) ?? defaults.ServerPath,
            ReferencesDir = parsed.GetValue(ReferencesDir) ?? defaults.ReferencesDir,
            BenchClientPath = parsed.GetValue(BenchClient) ?? defaults.BenchClientPath,
        };
        if (!File.Exists(settings.ServerPath)) return Usage($"--server: no executable at '{settings.ServerPath}' (run `make build` first)");
        if (!File.Exists(settings.BenchClientPath))
            return Usage($"--bench-client: no executable at '{settings.BenchClientPath}' (`make bench` builds it from tests/bench/bench-client.c)");

        using var cts = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
        return await BenchRun.RunAsync(settings, cts.Token);
    }

    private static int Usage(string message)
    {
        Console.Error.WriteLine($"shootout-runner bench: {message}");
        return RunnerCommand.UsageError;
    }

    private static List<string> Split(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();
}
