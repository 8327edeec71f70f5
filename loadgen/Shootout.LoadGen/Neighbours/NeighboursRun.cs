using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using ThreadPriority = Shootout.LoadGen.Engine.ThreadPriority;

namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// Runs the neighbours scenario from start to reports: connect the neighbours (in their own process) and the
/// probes, start the floods, let them settle for the warm-up, then measure: the probes' clock runs for the
/// duration while the floods' bytes are counted between two snapshots. Always writes the reports, also after
/// Ctrl-C or when the server dies. Exit codes as the other scenarios: 0, 1 (errors), 130 (interrupted).
/// </summary>
internal static class NeighboursRun
{
    public static async Task<int> RunAsync(NeighboursPlan plan, string reportDir, int metricsPort, CancellationToken cancel)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        try { Directory.CreateDirectory(reportDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--report-dir: cannot create '{reportDir}': {e.Message}");
        }
        NeighboursMetrics? metrics = null;
        if (metricsPort > 0)
        {
            try { metrics = new NeighboursMetrics(metricsPort, plan.TargetLabel); }
            catch (Exception e) when (e is HttpListenerException or SocketException or InvalidOperationException)
            {
                throw new UsageException($"--metrics-port: cannot listen on {metricsPort}: {e.Message}");
            }
        }
        using var _ = metrics;

        var latency = Histograms.Create();
        var service = Histograms.Create();
        var timeline = new List<NeighboursPoint>();
        NeighboursResult Result(string status, int code, string? message, ProbeFleet? probes = null, INeighbours? neighbours = null,
            FleetSnapshot? mark = null, FleetSnapshot? final = null) =>
            Summarise(plan, status, code, message, startedAt, wall.Elapsed.TotalSeconds, probes, neighbours, mark, final, latency, service, timeline);

        var probeTimeout = TimeSpan.FromSeconds(Math.Min(plan.ConnectTimeout.TotalSeconds, 3));
        if (await Probe.RunAsync(plan.Targets.Distinct(), probeTimeout).ConfigureAwait(false) is { } down)
            return Finish(reportDir, Result("failed", 1, $"{ErrorKinds.Describe(down.Kind)}: {down.Target} (is the server running?)"));

        if (plan.Layout == NeighboursLayout.SeparateProcesses)
            plan = plan with { ProbesNice = ThreadPriority.TrySetEveryThread(plan.ProbesNice) };
        INeighbours neighbours = plan.Layout == NeighboursLayout.SeparateProcesses ? new NeighboursAgentProcess(plan) : new LocalNeighbours(plan);
        var probes = new ProbeFleet(plan);
        FleetSnapshot? mark = null, final = null;
        try
        {
            if (await neighbours.ConnectAsync().ConfigureAwait(false) is { } nf)
                return Finish(reportDir, Result("failed", 1, $"a neighbour could not connect: {nf}", probes, neighbours));
            if (await probes.ConnectAsync().ConfigureAwait(false) is { } pf)
                return Finish(reportDir, Result("failed", 1, $"a probe could not connect: {pf}", probes, neighbours));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"neighbours → {plan.TargetLabel}: {plan.Floods} floods × {plan.MessageSize} B (window {plan.Window} B), {plan.NeverReading} " +
                $"never reading, {plan.Probes} probes × {plan.ProbeSize} B every {plan.ProbeInterval.TotalMilliseconds:0.###} ms; " +
                $"{plan.LayoutDescription}"));

            neighbours.Go();
            try { await Task.Delay(plan.Warmup, cancel).ConfigureAwait(false); }
            catch (OperationCanceledException) { }
            if (!cancel.IsCancellationRequested)
            {
                mark = await neighbours.SnapshotAsync(FleetSnapshot.Mark).ConfigureAwait(false);
                probes.Start();
                await MeasureAsync(plan, probes, neighbours, metrics, latency, service, timeline, mark, cancel).ConfigureAwait(false);
                final = await neighbours.SnapshotAsync(FleetSnapshot.Final).ConfigureAwait(false);
            }
            var stopGrace = cancel.IsCancellationRequested ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(plan.MessageTimeout.TotalSeconds, 5));
            await probes.StopAsync(stopGrace).ConfigureAwait(false);
            var (lastLatency, lastService) = probes.CutInterval();
            latency.Add(lastLatency);
            service.Add(lastService);
        }
        catch (Exception e) when (e is IOException or TimeoutException)
        {
            return Finish(reportDir, Result("failed", 1, e.Message, probes, neighbours, mark, final));
        }
        finally
        {
            await probes.DisposeAsync().ConfigureAwait(false);
            await neighbours.DisposeAsync().ConfigureAwait(false);
        }
        if (cancel.IsCancellationRequested)
        {
            string message = $"interrupted after {wall.Elapsed.TotalSeconds:0.0} s; partial reports in {reportDir}";
            return Finish(reportDir, Result("interrupted", 130, message, probes, neighbours, mark, final));
        }
        var result = Result("ok", 0, null, probes, neighbours, mark, final);
        return Finish(reportDir, Verdict(result));
    }

    /// <summary>Once a second for the duration: the probes' interval histogram, the floods' rates since the last second.</summary>
    private static async Task MeasureAsync(NeighboursPlan plan, ProbeFleet probes, INeighbours neighbours, NeighboursMetrics? metrics,
        HistogramBase latency, HistogramBase service, List<NeighboursPoint> timeline, FleetSnapshot mark, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        var previous = mark;
        long lastOk = 0, lastFailed = 0;
        int second = 0;
        while (clock.Elapsed < plan.Duration && !cancel.IsCancellationRequested)
        {
            var wait = TimeSpan.FromSeconds(Math.Min(second + 1, plan.Duration.TotalSeconds)) - clock.Elapsed;
            try { if (wait > TimeSpan.Zero) await Task.Delay(wait, cancel).ConfigureAwait(false); }
            catch (OperationCanceledException) { return; }
            second++;
            var (l, s) = probes.CutInterval();
            latency.Add(l);
            service.Add(s);
            long ok = probes.Ok, failed = probes.Failed;
            var now = neighbours.Latest;
            var rates = now is null || now.Elapsed <= previous.Elapsed ? []
                : now.FloodReceived.Select((r, i) => (r - previous.FloodReceived[i]) / (now.Elapsed - previous.Elapsed)).ToArray();
            var point = new NeighboursPoint(second, ok - lastOk, failed - lastFailed,
                Pct(l, 50), Pct(l, 99), l.TotalCount == 0 ? 0 : l.GetMaxValue(),
                rates.Sum(), rates.DefaultIfEmpty(0).Min(), Fairness.Jain(rates));
            timeline.Add(point);
            metrics?.Observe(l, ok - lastOk, failed - lastFailed, now);
            (lastOk, lastFailed) = (ok, failed);
            if (now is not null && now.Elapsed > previous.Elapsed) previous = now;
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{second,4}s] probes ok {point.ProbeOk} failed {point.ProbeFailed} p50 {point.P50}us p99 {point.P99}us max {point.Max}us | " +
                $"floods {point.FloodBytesPerSecond / 1048576:0.0} MiB/s, slowest {point.SlowestFloodBytesPerSecond / 1048576:0.00} MiB/s, jain " +
                $"{point.Jain?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"}"));
            Console.Out.Flush();
        }
    }

    private static long Pct(HistogramBase h, double p) => h.TotalCount == 0 ? 0 : h.GetValueAtPercentile(p);

    private static NeighboursResult Summarise(NeighboursPlan plan, string status, int code, string? message, DateTimeOffset startedAt,
        double wallSeconds, ProbeFleet? probes, INeighbours? neighbours, FleetSnapshot? mark, FleetSnapshot? final,
        HistogramBase latency, HistogramBase service, List<NeighboursPoint> timeline)
    {
        var end = final ?? neighbours?.Latest;
        double seconds = mark is not null && end is not null ? Math.Max(0, end.Elapsed - mark.Elapsed) : 0;
        var floods = end is null ? [] : end.FloodReceived.Select((r, i) =>
        {
            long bytes = r - (mark?.FloodReceived[i] ?? 0);
            return new FloodResult(i, bytes, seconds > 0 ? bytes / seconds : 0, end.FloodSent[i], r, end.FloodErrors[i]);
        }).ToArray();
        var neverReading = end is null ? [] : end.NeverReadingSent.Select((b, i) =>
            new NeverReadingResult(i, b, end.NeverReadingBlockedSeconds[i], end.NeverReadingClosed[i], end.NeverReadingErrors[i])).ToArray();
        var errors = new Dictionary<string, long>();
        foreach (var (kind, n) in probes?.Errors ?? new Dictionary<string, long>()) errors["probe_" + kind] = n;
        foreach (var kind in floods.Select(f => f.Error).Concat(neverReading.Select(n => n.Error)).OfType<string>())
            errors["neighbour_" + kind] = errors.GetValueOrDefault("neighbour_" + kind) + 1;
        return new NeighboursResult
        {
            Plan = plan,
            Status = status,
            ExitCode = code,
            Message = message,
            StartedAt = startedAt,
            WallSeconds = wallSeconds,
            MeasuredSeconds = seconds,
            NeighboursPid = neighbours?.Pid,
            Floods = floods,
            NeverReading = neverReading,
            ProbesScheduled = probes?.Scheduled ?? 0,
            ProbesOk = probes?.Ok ?? 0,
            ProbesFailed = probes?.Failed ?? 0,
            ProbeLatency = latency,
            ProbeService = service,
            Errors = errors,
            Timeline = timeline,
        };
    }

    /// <summary>A clean run is one where every probe got every echo and every neighbour ran to the end.</summary>
    private static NeighboursResult Verdict(NeighboursResult r)
    {
        if (r.Errors.Count == 0 && r.ProbesFailed == 0) return r;
        string list = string.Join(", ", r.Errors.OrderByDescending(e => e.Value).Take(4).Select(e => $"{e.Key} {e.Value}"));
        string errors = list.Length == 0 ? "none" : list;
        return r with { Status = "failed", ExitCode = 1, Message = $"{r.ProbesFailed} of {r.ProbesScheduled} probe messages failed; errors: {errors}" };
    }

    private static int Finish(string dir, NeighboursResult r)
    {
        NeighboursReports.WriteAll(dir, r);
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"neighbours: probes ok {r.ProbesOk}/{r.ProbesScheduled} failed {r.ProbesFailed}, p50 {r.P(50)}us p99 {r.P(99)}us max " +
            $"{(r.ProbeLatency.TotalCount == 0 ? 0 : r.ProbeLatency.GetMaxValue())}us; " +
            $"floods {r.Floods.Count}: mean {r.FloodMean / 1048576:0.00} MiB/s, slowest {r.FloodMin / 1048576:0.00} MiB/s, slowest/mean " +
            $"{r.SlowestOverMean?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"}, jain " +
            $"{r.Jain?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-"}; reports in {dir}"));
        Console.Out.Flush();
        if (r.Message is not null && r.ExitCode != 0) Console.Error.WriteLine($"shootout-loadgen: error: {r.Message}");
        return r.ExitCode;
    }
}
