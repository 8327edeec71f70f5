namespace Shootout.LoadGen.Hints;

/// <summary>A reason to doubt that a figure is the server's: what was seen, and what to do about it.</summary>
internal sealed record Hint(string Kind, string Cause, string Suggestion)
{
    public string Message => $"{Cause} {Suggestion}";
}

/// <summary>The kinds of hint, as summary.json and the runner name them.</summary>
internal static class HintKinds
{
    /// <summary>Scheduled sends left late (beyond waiting for the connection): the generator's delay.</summary>
    public const string SendLag = "send_lag";

    /// <summary>An event loop or the pacer used nearly a whole core.</summary>
    public const string LoopBusy = "loop_busy";

    /// <summary>The generator's threads waited for a CPU they wanted: other processes took it.</summary>
    public const string CpuStarved = "cpu_starved";

    /// <summary>A phase achieved clearly less than the rate it asked for.</summary>
    public const string RateBelowRequested = "rate_below_requested";

    /// <summary>The target runs on this machine and competes with the generator for its cores.</summary>
    public const string SameMachine = "same_machine";

    /// <summary>Kinds that say the generator, not the server, limited the result.</summary>
    public static readonly string[] GeneratorLimited = [SendLag, LoopBusy, CpuStarved];
}
