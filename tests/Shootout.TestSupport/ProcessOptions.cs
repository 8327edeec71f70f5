namespace Shootout.TestSupport;

/// <summary>How <see cref="TestProcess"/> starts and stops one process. Every property has a working default.</summary>
public sealed record ProcessOptions
{
    /// <summary>Names the process in messages; defaults to the executable's file name.</summary>
    public string? Name { get; init; }

    /// <summary>Defaults to the repository root.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Edits the environment the process gets (a copy of the test's): set, or remove, variables.</summary>
    public Action<IDictionary<string, string?>>? Environment { get; init; }

    /// <summary>Starts the process under `ulimit -n` this low, so descriptor exhaustion is cheap to cause.</summary>
    public int? FileLimit { get; init; }

    /// <summary>What asks the process to stop (SIGTERM), and how long it gets to go before its whole group is killed.</summary>
    public int StopSignal { get; init; } = Signals.SigTerm;

    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Lines kept per stream; a chatty process cannot grow the test's memory without bound.</summary>
    public int MaxLines { get; init; } = 100_000;
}

/// <summary>What a process that ran to completion left: its exit code and everything it printed.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>Standard output, then standard error.</summary>
    public string Output => Stdout + Stderr;

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}
