using System.Globalization;
using Shootout.Results;
using Shootout.Runner.Cli;
using Shootout.Runner.Live;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

/// <summary>Light clients beside heavy neighbours: the probes' CO-corrected latency (µs) and how evenly the floods shared the server.</summary>
internal sealed record NeighboursResult(int Floods, int NeverReading, int Probes, long ProbesScheduled, long ProbesFailed,
    double P50, double P99, double Max, double MeanFloodBytesPerSecond, double? SlowestOverMean, double? Jain, string Status, string? Message)
{
    /// <summary>The share (0..1) of its CPUs the load generator used in the phase.</summary>
    public double? GeneratorShare { get; init; }
}

/// <summary>
/// The "beside heavy neighbours" phase of one engine: `shootout-loadgen neighbours` (floods of 64 KiB writes, one
/// never-reading client, probes of 9 B every 10 ms; the probes and the neighbours in separate processes) against
/// the engine's servers, on its own loopback destination. Errors (a probe never answered, a flood cut off) are
/// reported with the figures, not as the engine's failure: starving a client is what this phase is there to show.
/// </summary>
internal static class NeighboursPhase
{
    public static async Task<NeighboursResult?> RunAsync(RunnerSettings settings, EnginePlan plan, ServerFleet fleet, string[] serverCpusArgs,
        IRunView view, CancellationToken cancel)
    {
        var n = settings.Neighbours;
        if (!n.Enabled) return null;
        view.Status($"{plan.Engine}: {n.Probes} light clients beside {n.Floods} floods and {n.NeverReading} never-reading client " +
                    $"for {n.Duration.TotalSeconds:0.#} s");
        var run = await LoadGenRun.RunAsync(settings.LoadGenPath, "neighbours",
            ["neighbours", "--target", $"{plan.NeighboursAddress}:{fleet.Port}", "--floods", I(n.Floods), "--never-reading", I(n.NeverReading),
             "--probes", I(n.Probes), "--duration", LoadGenRun.Duration(n.Duration), "--message-timeout", "20s",
             "--metrics-port", I(plan.EchoMetricsPort), .. serverCpusArgs],
            Path.Combine(plan.Dir, "neighbours"), n.Duration + TimeSpan.FromSeconds(90), cancel, settings.Cpus?.LoadGen);
        if (fleet.Crashed() is { } crash) throw new EngineFailure($"beside heavy neighbours: {crash}");
        var r = Read(run, n) with { GeneratorShare = run.GeneratorShare };
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{plan.Engine}: beside {n.Floods} floods: probe p50 {r.P50:N0} µs, p99 {r.P99:N0} µs, max {r.Max:N0} µs; " +
            $"slowest flood {r.SlowestOverMean:0.00} of the mean, Jain {r.Jain:0.000}" +
            $"{(r.ProbesFailed > 0 ? $"; {r.ProbesFailed} of {r.ProbesScheduled} probe messages failed" : "")}"));
        return r;
    }

    /// <summary>The phase's figures from the neighbours command's three scenarios (typed: <see cref="NeighboursFigures"/>).</summary>
    public static NeighboursResult Read(LoadGenSummary run, NeighboursPhaseSettings n)
    {
        var s = run.Neighbours ?? throw new EngineFailure(
            $"beside heavy neighbours: the load generator's summary.json has no '{NeighboursFigures.Probes}' scenario ({run.Status}: {run.Message})");
        var latency = s.ProbeLatencyUs;
        return new NeighboursResult(n.Floods, n.NeverReading, n.Probes, s.ProbesScheduled, s.ProbesFailed, latency.P50, latency.P99, latency.Max,
            s.MeanFloodBytesPerS, s.SlowestOverMean, s.Jain, run.Status, run.Message);
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
