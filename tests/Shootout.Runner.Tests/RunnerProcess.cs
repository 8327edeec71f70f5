using System.Text.Json.Nodes;

namespace Shootout.Runner.Tests;

/// <summary>Runs the real bin/shootout-runner (published by `make build`) and stops it by PID if it overruns.</summary>
internal static class RunnerProcess
{
    public static string RepoRoot => RepoPaths.Root;
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
        // The runner measures the C, Go and Rust references by default; a test asks for them when it wants them.
        if (!all.Contains("--references")) all = [.. all, "--references", "none"];
        var (code, stdout, stderr) = Exec(Path.Combine(Bin, "shootout-runner"), all, timeout);
        return new Result(code, stdout, stderr, results);
    }

    public static ProcessResult Exec(string path, IEnumerable<string> args, TimeSpan timeout)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} is missing: run `make build` first");
        // The runner stops its own children on SIGTERM; give it the chance, then its whole process group goes.
        return TestProcess.Run(path, args, timeout, options: new ProcessOptions { StopGrace = TimeSpan.FromSeconds(30) });
    }
}
