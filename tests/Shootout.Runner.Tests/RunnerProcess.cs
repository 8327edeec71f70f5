using System.Text.Json.Nodes;
using Shootout.Tests.Shared;

namespace Shootout.Runner.Tests;

/// <summary>Runs the real bin/shootout-runner (published by `make build`) and stops it by PID if it overruns.</summary>
internal static class RunnerProcess
{
    public static string RepoRoot => TestProcess.RepoRoot;
    public static string Bin => Path.Combine(RepoRoot, "bin");

    public sealed record Result(int ExitCode, string Stdout, string Stderr, string ResultsRoot)
    {
        /// <summary>The run's own directory, through results/latest.</summary>
        public string RunDir => Path.GetFullPath(Path.Combine(ResultsRoot, new DirectoryInfo(Path.Combine(ResultsRoot, "latest")).LinkTarget
            ?? throw new InvalidOperationException($"no results/latest symlink in {ResultsRoot}; stdout:\n{Stdout}\nstderr:\n{Stderr}")));

        public JsonNode Summary => JsonNode.Parse(File.ReadAllText(Path.Combine(RunDir, "summary.json")))!;

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>A tiny run: the scale of a test, every phase still there.</summary>
    public static readonly string[] Tiny =
    [
        "--connections", "300", "--warmup-connections", "20", "--echo-connections", "10", "--echo-rate", "500",
        "--echo-duration", "1s", "--closed-connections", "10", "--closed-duration", "1s", "--plain",
        "--neighbours-floods", "2", "--neighbours-probes", "10", "--neighbours-duration", "1s",
    ];

    public static Result Run(TimeSpan timeout, params string[] args)
    {
        string results = Directory.CreateTempSubdirectory("runner-test-").FullName;
        var all = args.Contains("--results-dir") ? args : [.. args, "--results-dir", results];
        var (code, stdout, stderr) = Exec(Path.Combine(Bin, "shootout-runner"), all, timeout);
        return new Result(code, stdout, stderr, results);
    }

    public static (int ExitCode, string Stdout, string Stderr) Exec(string path, IEnumerable<string> args, TimeSpan timeout)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run `make build` first");
        return TestProcess.Run(path, args, timeout, stop: p =>
        {
            // The runner stops its own children on SIGTERM; give it the chance, then make sure.
            Signal(p.Id, 15);
            if (!p.WaitForExit(TimeSpan.FromSeconds(30))) p.Kill(entireProcessTree: true);
        });
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Signal(int pid, int signal);
}
