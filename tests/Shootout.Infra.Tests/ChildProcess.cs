namespace Shootout.Infra.Tests;

/// <summary>
/// Runs a tool under test to completion (docker-compose, promtool, the bench scripts): from the repository
/// root unless told otherwise, and without the SHOOTOUT_* variables of the shell that started the tests,
/// so the files' own defaults are what is checked. Starting and stopping are <see cref="TestProcess"/>'s.
/// </summary>
public static class ChildProcess
{
    /// <summary>Exit code and everything it printed (standard output, then standard error).</summary>
    public static (int ExitCode, string Output) Run(string executable, TimeSpan timeout, string? workingDirectory, params IEnumerable<string> args)
    {
        var result = TestProcess.Run(executable, args, timeout, options: new ProcessOptions
        {
            WorkingDirectory = workingDirectory,
            Environment = WithoutShootoutVariables,
        });
        return (result.ExitCode, result.Output);
    }

    private static void WithoutShootoutVariables(IDictionary<string, string?> environment)
    {
        foreach (var key in environment.Keys.Where(k => k.StartsWith("SHOOTOUT_", StringComparison.Ordinal)).ToList())
            environment.Remove(key);
    }
}
