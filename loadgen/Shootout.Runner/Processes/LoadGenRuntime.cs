namespace Shootout.Runner.Processes;

/// <summary>
/// How the runner has the .NET runtime run its load generators: fully optimised code from the first call, no
/// tier-up later (as the servers run, <c>servers/ServerRuntime.props</c>). With tiered compilation on, a hold
/// generator recompiled its hot code for more than 20 s after its ramp, 10–12% of its CPU, and each phase's
/// fresh generator recompiled during its own measured seconds: work on the generator's CPU that starved its event
/// loops (<c>cpu_starved</c> on every row of a <c>make run</c>). Measured on an idle hold of 20,000 connections, four
/// 4 s windows after the ramp: 160–600 ms of CPU per window with tier-up, 74–91 ms without (docs/instrument.md).
/// </summary>
internal static class LoadGenRuntime
{
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["DOTNET_TieredCompilation"] = "0",
    };
}
