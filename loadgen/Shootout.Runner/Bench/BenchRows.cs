using Shootout.Runner.Processes;
using Shootout.Runner.Run;

namespace Shootout.Runner.Bench;

/// <summary>
/// The rows of a bench, round after round: the references, then each engine (with --baseline, the baseline
/// build's engine just before it), every other round in reverse if asked. Every round runs every row, so each ratio has a pair in
/// each round.
/// </summary>
internal static class BenchRows
{
    /// <summary>The engines' extra arguments: metrics off (nothing scrapes a bench), a listen queue that holds the accept burst.</summary>
    private static readonly string[] EngineArgs = ["--backlog", "65535"];

    /// <param name="reverseEveryOtherRound">
    /// A B C, C B A, A B C ...: a row's place in the round (what ran just before it, how long since the round began) is then
    /// no bias of the ratios over rounds but part of their spread, which the interval sees. Off where a row is read against
    /// one measured before it in the same round (the neighbours' threads row).
    /// </param>
    public static async Task<(IReadOnlyList<BenchRow> Rows, IReadOnlyDictionary<string, string> Skipped)> PlanAsync(BenchSettings settings, string workDir,
        bool reverseEveryOtherRound = false)
    {
        var subjects = new List<(string Subject, RowKind Kind, ServerLaunch Launch)>();
        var skipped = new Dictionary<string, string>();
        var native = settings.References.Where(r => References.Names.Contains(r)).ToArray();
        var (found, notBuilt) = References.Find(settings.ReferencesDir, native);
        foreach (var (name, why) in notBuilt) skipped[name] = why;
        foreach (string reference in settings.References)
        {
            if (found.FirstOrDefault(l => l.Name == reference) is { } launch)
                subjects.Add((reference, RowKind.Reference, launch));
            else if (reference == "dotnet-socket")
            {
                string path = Path.Combine(settings.ReferencesDir, DotnetSocketLaunch.Directory, DotnetSocketLaunch.Directory);
                if (File.Exists(path)) subjects.Add((reference, RowKind.Reference, new DotnetSocketLaunch(path)));
                else skipped[reference] = $"{path} is not built (make bench builds it from tests/bench/dotnet-socket-echo)";
            }
        }
        var baselineEngines = settings.BaselineBin is { } dir ? await EnginesOfAsync(Path.Combine(dir, "shootout-server"), workDir) : [];
        foreach (string engine in settings.Engines)
        {
            // An engine the baseline build does not have gets no @base row.
            if (baselineEngines.Contains(engine))
            {
                var launch = new EngineLaunch(engine, Path.Combine(settings.BaselineBin!, "shootout-server"), EngineArgs);
                subjects.Add(($"{engine}@base", RowKind.Baseline, launch));
            }
            subjects.Add((engine, RowKind.Engine, new EngineLaunch(engine, settings.ServerPath, EngineArgs)));
        }
        var rows = Enumerable.Range(1, settings.Rounds)
            .SelectMany(round => (round % 2 == 0 && reverseEveryOtherRound ? Enumerable.Reverse(subjects) : subjects)
                .Select(s => new BenchRow(s.Subject, s.Kind, s.Launch, round)))
            .ToList();
        return (rows, skipped);
    }

    /// <summary>The engines a shootout-server build knows, from its --help (the line of --engine lists them).</summary>
    private static async Task<HashSet<string>> EnginesOfAsync(string server, string workDir)
    {
        var lines = new List<string>();
        using var help = ChildProcess.Start("baseline --help", server, ["--help"], Path.Combine(workDir, "baseline-help.log"),
            l => { lock (lines) lines.Add(l); });
        await help.WaitForExitAsync(TimeSpan.FromSeconds(30));
        help.DrainOutput();
        string line;
        lock (lines) line = lines.FirstOrDefault(l => l.Contains("--engine <", StringComparison.Ordinal)) ?? "";
        return line.Split([' ', '<', '>', '|', ','], StringSplitOptions.RemoveEmptyEntries).ToHashSet();
    }
}
