using System.Globalization;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    private async Task<EchoResult?> EchoAsync(ServerFleet fleet, EngineResult result, CancellationToken cancel)
    {
        string what = $"at {settings.EchoRate.ToString("N0", CultureInfo.InvariantCulture)} msg/s";
        var (echo, cost) = await WithCostAsync("rate", what, settings.EchoDuration, fleet, result.ConnectionsHeld, async () =>
        {
            view.Status($"{plan.Engine}: echo at {settings.EchoRate:N0} msg/s on {settings.EchoConnections} connections " +
                        $"for {settings.EchoDuration.TotalSeconds:0.#} s");
            var echo = await LoadGenRun.RunAsync(settings.LoadGenPath, "echo",
                ["echo", "--target", $"{plan.EchoAddress}:{fleet.Port}", "--connections", I(settings.EchoConnections),
                 "--rate", settings.EchoRate.ToString(CultureInfo.InvariantCulture), "--duration", LoadGenRun.Duration(settings.EchoDuration),
                 "--message-size", I(settings.MessageSize), "--agents", "0", "--metrics-port", I(plan.EchoMetricsPort), .. ServerCpusArgs],
                Path.Combine(plan.Dir, "echo"), settings.EchoDuration + TimeSpan.FromSeconds(60), cancel, LoadGenCpus);
            return (echo, new Echoed(echo.MessagesOk, echo.RateAchieved));
        }, cancel);
        if (fleet.Crashed() is { } crash) throw new EngineFailure($"during echo: {crash}");
        if (echo.MessagesOk == 0) throw new EngineFailure($"echo: no message came back ({echo.Message ?? echo.Status})");
        result.CostAtRate = cost;
        result.NoteHints("echo", echo.Hints);
        // Requested is the rate this run asked for (the load generator's own figure averages its schedule over
        // the seconds it measured, a few sends short of it).
        var latency = echo.Result.LatencyUs;
        var r = new EchoResult(settings.EchoRate, echo.RateAchieved, latency.P50, latency.P99, latency.P999, latency.Max)
        {
            Spectrum = LatencySpectrum.From(echo.Json["latency_us"]),
        };
        view.Line(string.Create(CultureInfo.InvariantCulture,
            $"{plan.Engine}: echo {r.RateAchieved:N0}/{r.RateRequested:N0} msg/s, p50 {r.P50:N0} µs, p99 {r.P99:N0} µs, p99.9 {r.P999:N0} µs")
            + NoteGenerator(result, "echo", echo.GeneratorShare));
        return r;
    }

    private async Task<double> ClosedLoopAsync(ServerFleet fleet, EngineResult result, CancellationToken cancel)
    {
        var (closed, cost) = await WithCostAsync("closed", "at the closed-loop maximum", settings.ClosedDuration, fleet, result.ConnectionsHeld, async () =>
        {
            view.Status($"{plan.Engine}: closed loop on {settings.ClosedConnections} connections for {settings.ClosedDuration.TotalSeconds:0.#} s");
            var closed = await LoadGenRun.RunAsync(settings.LoadGenPath, "closed",
                ["echo", "--closed", "--target", $"{plan.ClosedAddress}:{fleet.Port}", "--connections", I(settings.ClosedConnections),
                 "--duration", LoadGenRun.Duration(settings.ClosedDuration), "--message-size", I(settings.MessageSize), "--agents", "0",
                 "--metrics-port", I(plan.EchoMetricsPort), .. ServerCpusArgs],
                Path.Combine(plan.Dir, "closed"), settings.ClosedDuration + TimeSpan.FromSeconds(60), cancel, LoadGenCpus);
            return (closed, new Echoed(closed.MessagesOk, closed.RateAchieved));
        }, cancel);
        if (fleet.Crashed() is { } crash) throw new EngineFailure($"during the closed loop: {crash}");
        if (closed.MessagesOk == 0) throw new EngineFailure($"closed loop: no message came back ({closed.Message ?? closed.Status})");
        result.CostClosed = cost;
        result.NoteHints("closed", closed.Hints);
        string generator = NoteGenerator(result, "closed", closed.GeneratorShare);
        // A maximum taken while the generator used (nearly) all of its CPUs is the generator's limit: the server's is at least that.
        string rate = closed.RateAchieved.ToString("N0", CultureInfo.InvariantCulture);
        view.Line(result.ClosedGeneratorBound
            ? $"{plan.Engine}: closed loop ≥ {rate} msg/s, generator-bound (a lower bound for the server){generator}"
            : $"{plan.Engine}: closed loop {rate} msg/s{generator}");
        return closed.RateAchieved;
    }
}
