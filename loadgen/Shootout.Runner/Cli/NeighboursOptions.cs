using System.CommandLine;

namespace Shootout.Runner.Cli;

/// <summary>The "beside heavy neighbours" phase of each engine: light probes measured beside floods and a never-reading client.</summary>
internal sealed record NeighboursPhaseSettings
{
    public bool Enabled { get; init; } = true;
    public int Floods { get; init; } = 16;
    public int NeverReading { get; init; } = 1;
    public int Probes { get; init; } = 100;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The phase's command-line options, kept beside it.</summary>
internal static class NeighboursOptions
{
    private static readonly Option<bool> Off = new("--no-neighbours") { Description = "Skip the phase that measures light clients beside heavy neighbours." };
    private static readonly Option<int> Floods = RunnerCommand.Ranged("--neighbours-floods",
        "Flooding connections (64 KiB writes) beside the probes.",
        16, 1, 1000);
    private static readonly Option<int> Probes = RunnerCommand.Ranged("--neighbours-probes", "Light probe connections (9 B every 10 ms each).", 100, 1, 1000);
    private static readonly Option<TimeSpan> Duration = RunnerCommand.Duration("--neighbours-duration",
        "How long the probes are measured beside the neighbours.",
        TimeSpan.FromSeconds(5));

    public static void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Off, Floods, Probes, Duration }) command.Options.Add(o);
    }

    public static NeighboursPhaseSettings Read(ParseResult parsed) => new()
    {
        Enabled = !parsed.GetValue(Off),
        Floods = parsed.GetValue(Floods),
        Probes = parsed.GetValue(Probes),
        Duration = parsed.GetValue(Duration),
    };
}
