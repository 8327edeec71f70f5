namespace Shootout.LoadGen.Cli;

/// <summary>The process exit codes, a contract with CI scripts and the shootout runner.</summary>
internal static class ExitCodes
{
    /// <summary>The run finished and nothing went wrong.</summary>
    public const int Ok = 0;

    /// <summary>The run had errors (failed connects or messages, lost agents, an unreachable target).</summary>
    public const int Errors = 1;

    /// <summary>Bad input: an option, config field or threshold expression; one line names it.</summary>
    public const int BadInput = 2;

    /// <summary>The run itself was clean but a threshold failed (k6's code for the same, so CI scripts carry over).</summary>
    public const int ThresholdsFailed = 99;

    /// <summary>Interrupted (SIGINT/SIGTERM); partial reports are written.</summary>
    public const int Interrupted = 130;
}
