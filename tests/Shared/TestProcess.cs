using System.Diagnostics;

namespace Shootout.Tests.Shared;

/// <summary>
/// How the end-to-end tests run one of the real executables: output captured, stdin a pipe rather than the
/// test host's terminal, a time limit, and a process that outlives its test stopped by its PID. Linked into
/// each test project that starts one; each project says how its own executable is best stopped.
/// </summary>
internal static class TestProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <param name="whileRunning">Runs once the process has started, before the wait; the test may signal or
    /// watch it there. Whatever it throws still ends in <paramref name="stop"/>.</param>
    /// <param name="stop">Stops a process still running when the run ends (overrun, or a throw); without it the
    /// process and its children are killed.</param>
    public static (int ExitCode, string Stdout, string Stderr) Run(string path, IEnumerable<string> args, TimeSpan timeout,
        Action<Process>? whileRunning = null, Action<Process>? stop = null)
    {
        var psi = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        // Both pipes are drained from the start: a child that fills one while the test waits would stall.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            whileRunning?.Invoke(p);
            if (!p.WaitForExit(timeout))
                throw new TimeoutException($"{Path.GetFileName(path)} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}");
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            if (!p.HasExited)
            {
                if (stop is not null) stop(p);
                else p.Kill(entireProcessTree: true);
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Shootout.sln"))) return dir.FullName;
        throw new InvalidOperationException("Shootout.sln not found above " + AppContext.BaseDirectory);
    }
}
