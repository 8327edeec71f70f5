using System.Diagnostics;
using System.Text.Json.Nodes;
using Shootout.Tests.Shared;

namespace Shootout.LoadGen.Tests;

/// <summary>Runs the real bin/shootout-loadgen (published by `make build`; published here if missing).</summary>
internal static class LoadGenProcess
{
    private static readonly Lazy<string> Executable = new(Locate);

    public static string RepoRoot => TestProcess.RepoRoot;

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string ReportDir)
    {
        public JsonNode Summary => JsonNode.Parse(File.ReadAllText(Path.Combine(ReportDir, "summary.json")))!;
    }

    public static string NewReportDir() => Directory.CreateTempSubdirectory("loadgen-test-").FullName;

    public static Result Run(string reportDir, TimeSpan timeout, Action<Process>? whileRunning = null, params string[] args)
    {
        var (code, stdout, stderr) = TestProcess.Run(Executable.Value, args, timeout, whileRunning);
        return new Result(code, stdout, stderr, reportDir);
    }

    /// <summary>The load generator under a launcher that execs it (same PID): nice, taskset, chrt.</summary>
    public static Result RunUnder(string[] launcher, string reportDir, TimeSpan timeout, Action<Process>? whileRunning, params string[] args)
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
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "publish", Path.Combine(RepoRoot, "loadgen", "Shootout.LoadGen"), "-c", "Release", "-o", outDir })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)) || p.ExitCode != 0)
            throw new InvalidOperationException("publishing the load generator failed: " + output.Result);
        return Path.Combine(outDir, "shootout-loadgen");
    }
}
