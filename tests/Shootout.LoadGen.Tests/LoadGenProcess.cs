using System.Text.Json.Nodes;

namespace Shootout.LoadGen.Tests;

/// <summary>Runs the real bin/shootout-loadgen (published by `make build`; published here if missing).</summary>
internal static class LoadGenProcess
{
    private static readonly Lazy<string> Executable = new(Locate);

    public static string RepoRoot => RepoPaths.Root;

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string ReportDir)
    {
        public JsonNode Summary => JsonNode.Parse(File.ReadAllText(Path.Combine(ReportDir, "summary.json")))!;
    }

    public static string NewReportDir() => Directory.CreateTempSubdirectory("loadgen-test-").FullName;

    public static Result Run(string reportDir, TimeSpan timeout, Action<TestProcess>? whileRunning = null, params string[] args)
    {
        var (code, stdout, stderr) = TestProcess.Run(Executable.Value, args, timeout, whileRunning);
        return new Result(code, stdout, stderr, reportDir);
    }

    /// <summary>Waits until the run's /metrics on <paramref name="metricsPort"/> counts at least one good round trip.</summary>
    public static void WaitForRoundTrips(TestProcess loadgen, int metricsPort, TimeSpan timeout) =>
        Wait.Until(() =>
        {
            if (loadgen.HasExited)
                throw new InvalidOperationException($"the load generator exited ({loadgen.ExitCode}) before its first round trip:\n{loadgen.Tail(20)}");
            return MetricsScrape.TryFrom(metricsPort)?.ValueOrNull("shootout_loadgen_messages_total", ("result", "ok")) > 0;
        }, timeout, "the load generator to count its first good round trip", TimeSpan.FromMilliseconds(50));

    /// <summary>The load generator under a launcher that execs it (same PID): nice, taskset, chrt.</summary>
    public static Result RunUnder(string[] launcher, string reportDir, TimeSpan timeout, Action<TestProcess>? whileRunning, params string[] args)
    {
        var (code, stdout, stderr) = TestProcess.Run(launcher[0], [.. launcher[1..], Executable.Value, .. args], timeout, whileRunning);
        return new Result(code, stdout, stderr, reportDir);
    }

    private static string Locate()
    {
        var built = Path.Combine(RepoRoot, "bin", "shootout-loadgen");
        if (File.Exists(built)) return built;
        // A fresh clone tested without `make build`: publish privately rather than touch bin/.
        var outDir = Path.Combine(Path.GetTempPath(), "shootout-loadgen-test-bin");
        var publish = TestProcess.Run("dotnet", ["publish", Path.Combine(RepoRoot, "loadgen", "Shootout.LoadGen"), "-c", "Release", "-o", outDir],
            TimeSpan.FromMinutes(5));
        if (publish.ExitCode != 0)
            throw new InvalidOperationException("publishing the load generator failed: " + publish.Stdout);
        return Path.Combine(outDir, "shootout-loadgen");
    }
}
