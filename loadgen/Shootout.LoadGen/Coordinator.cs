using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Shootout.LoadGen.Agents;
using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Engine;
using Shootout.LoadGen.Live;
using Shootout.LoadGen.Metrics;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Reports;
using Shootout.LoadGen.Stats;
using Shootout.LoadGen.Thresholds;

namespace Shootout.LoadGen;

/// <summary>
/// Runs a run's scenarios from start to reports: checks the targets answer, runs every scenario at once
/// in-process or over agent processes (as many as the open-file limit requires), merges their ticks per
/// scenario and for the whole run, shows progress, exports metrics, and always writes the reports — also after
/// Ctrl-C or when the server dies.
/// </summary>
internal static class Coordinator
{
    public static async Task<int> RunAsync(IReadOnlyList<LoadPlan> plans, RunSettings run, bool interactive, CancellationToken cancel)
    {
        var plan = RunTotals.WholePlan(plans);
        var startedAt = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        try { Directory.CreateDirectory(run.ReportDir); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--report-dir: cannot create '{run.ReportDir}': {e.Message}");
        }

        var layout = new ProcessLayout(plans, run.Agents);
        int agents = layout.Agents;
        var totals = layout.Totals();

        PrometheusExporter? metrics = null;
        if (run.MetricsPort > 0)
        {
            try { metrics = new PrometheusExporter(run.MetricsPort, plan.TargetLabel); }
            catch (Exception e) when (e is HttpListenerException or SocketException or InvalidOperationException)
            {
                throw new UsageException($"--metrics-port: cannot listen on {run.MetricsPort}: {e.Message}");
            }
        }

        using var _ = metrics;
        var probe = await ProbeAsync(plans).ConfigureAwait(false);
        if (probe is { } failure && !cancel.IsCancellationRequested)
        {
            var probed = new RunTotals(plans, 1);
            probed.Add(0, FailedProbeTick(failure.Kind));
            probed.Finish();
            string msg = $"{ErrorKinds.Describe(failure.Kind)}: {failure.Target} (is the server running?)";
            return Write(probed, run, new Verdict("failed", ExitCodes.Errors, msg), [], agents, startedAt, wall);
        }

        var ticks = Channel.CreateUnbounded<(int Source, Tick? Tick)>();
        var live = totals.LiveThresholds(run.Thresholds);
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var consume = Task.Run(async () =>
        {
            await foreach (var (source, tick) in ticks.Reader.ReadAllAsync())
            {
                if (tick is null) { totals.Lost(source, ErrorKinds.AgentLost); continue; }
                totals.Add(source, tick);
                metrics?.Observe(tick, totals.Whole.Alive, plans[tick.Scenario].ScenarioName, totals.Of(tick.Scenario).Alive);
                if (live.Any(l => l.Check() is not null)) aborted.Cancel();
            }
        });
        using var liveDone = new CancellationTokenSource();
        var title = $"{plan.ScenarioName} → {plan.TargetLabel}" + (agents > 0 ? $" ({agents} agents)" : "");
        var view = new LiveView(totals.Whole, title, interactive, Console.Out, () => LiveStatus(live)).RunAsync(liveDone.Token);

        var agentError = await RunProcessesAsync(layout, (i, t) => ticks.Writer.TryWrite((i, t)), aborted.Token).ConfigureAwait(false);
        ticks.Writer.Complete();
        await consume.ConfigureAwait(false);
        totals.Finish();
        liveDone.Cancel();
        await view.ConfigureAwait(false);

        var outcome = new Outcome(cancel.IsCancellationRequested, live.Select(l => l.Failure).FirstOrDefault(f => f is not null),
            agentError, wall.Elapsed.TotalSeconds);
        return Finish(totals, run, outcome, agents, startedAt, wall);
    }

    /// <summary>The live view's threshold line: every scenario's thresholds and the whole run's, in one.</summary>
    private static string? LiveStatus(IReadOnlyList<LiveThresholds> live) =>
        live.Select(l => l.Status).Where(s => s is not null).ToList() is { Count: > 0 } lines
            ? "thresholds: " + string.Join(", ", lines.Select(l => l!["thresholds: ".Length..])) : null;

    /// <summary>How the run ended, apart from its figures.</summary>
    private sealed record Outcome(bool Interrupted, ThresholdResult? AbortedBy, string? AgentError, double WallSeconds);

    private static int Finish(RunTotals totals, RunSettings run, Outcome outcome, int agents, DateTimeOffset startedAt, Stopwatch wall)
    {
        var judged = totals.Judge(run.Thresholds);
        var verdict = Judge(totals.WholePlan(), run, totals.Whole, outcome, judged);
        return Write(totals, run, verdict, judged, agents, startedAt, wall);
    }

    private static int Write(RunTotals totals, RunSettings run, Verdict verdict,
        IReadOnlyList<ThresholdResult> thresholds, int agents, DateTimeOffset startedAt, Stopwatch wall)
    {
        var result = totals.Result(verdict.Status, verdict.Code, verdict.Message, agents, startedAt, wall.Elapsed.TotalSeconds) with
        {
            Thresholds = thresholds,
        };
        ReportWriter.WriteAll(run.ReportDir, result);
        var o = Console.Out;
        foreach (var t in thresholds) o.WriteLine($"threshold {t.Line}");
        foreach (var h in result.Hints) o.WriteLine($"hint {h.Kind}: {h.Message}");
        foreach (var s in result.Scenarios.Count > 1 ? result.Scenarios : []) o.WriteLine(Line(s, null));
        o.WriteLine(Line(result, run.ReportDir));
        o.Flush();
        if (verdict.Message is not null && verdict.Code != 0) Console.Error.WriteLine($"shootout-loadgen: error: {verdict.Message}");
        return verdict.Code;
    }

    /// <summary>The closing line of a run, or of one of its scenarios.</summary>
    private static string Line(RunResult r, string? reportDir)
    {
        var step = r.Steps[1];
        var t = r.Totals;
        string reports = reportDir is null ? "" : $"; reports in {reportDir}";
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Plan.ScenarioName}: connections {t.Established}/{r.Plan.ShareConnections} (failed {t.ConnectFailed}), "
            + $"messages ok {t.Ok} failed {t.Failed}, rate {r.AchievedRate:0.#}/s, "
            + $"p50 {step.P(50)}us p99 {step.P(99)}us max {step.Max}us{reports}");
    }

    private sealed record Verdict(string Status, int Code, string? Message);

    /// <summary>
    /// Status and exit code, first reason first: interrupted (130); a run that could not be carried out (1);
    /// a failed threshold (99); errors (1), unless an <c>errors</c> threshold was given, which then decides.
    /// </summary>
    private static Verdict Judge(LoadPlan plan, RunSettings run, RunAggregate t, Outcome outcome, IReadOnlyList<ThresholdResult> judged)
    {
        var errors = t.ErrorsSnapshot().Where(e => e.Value > 0).ToArray();
        string list = string.Join(", ", errors.Take(4).Select(e => $"{e.Key} {e.Value}"));
        if (outcome.Interrupted)
            return new("interrupted", ExitCodes.Interrupted, $"interrupted after {outcome.WallSeconds:0.0} s; partial reports in {run.ReportDir}");
        if (outcome.AgentError is not null)
            return new("failed", ExitCodes.Errors, $"{outcome.AgentError}; partial reports in {run.ReportDir}");
        if (t.StopReasons.Contains(StopReasons.AllFailed) && t.Established == 0)
        {
            string kind = errors.FirstOrDefault().Key ?? ErrorKinds.Other;
            return new("failed", ExitCodes.Errors,
                $"no connection to {plan.TargetLabel} could be established: {ErrorKinds.Describe(kind)} ({list})");
        }
        if (t.StopReasons.Contains(StopReasons.AllLost) || t.StopReasons.Contains(StopReasons.AllFailed))
            return new("failed", ExitCodes.Errors,
                $"all connections to {plan.TargetLabel} were lost mid-run ({list}); partial reports in {run.ReportDir}");
        var failed = judged.Where(r => !r.Passed).ToList();
        if (failed.Count > 0)
        {
            string how = outcome.AbortedBy is { } a ? $"stopped early: {a.Expression} failed ({a.ObservedText}); " : "";
            return new("thresholds_failed", ExitCodes.ThresholdsFailed,
                $"{how}{failed.Count} of {judged.Count} thresholds failed: "
                + string.Join(", ", failed.Select(r => $"{r.Expression} ({r.ObservedText})")));
        }
        bool errorsJudged = judged.Any(r => r.Threshold.Metric.Name == "errors");
        if (!errorsJudged && (errors.Length > 0 || t.Failed > 0 || t.ConnectFailed > 0))
        {
            string ports = errors.Any(e => e.Key == ErrorKinds.PortsExhausted) ? $"; {ErrorKinds.Describe(ErrorKinds.PortsExhausted)}" : "";
            return new("failed", ExitCodes.Errors,
                $"{errors.Sum(e => e.Value)} errors ({list}), {t.Failed} messages failed, {t.ConnectFailed} connections failed{ports}");
        }
        return new("ok", ExitCodes.Ok, null);
    }

    /// <summary>
    /// The scenarios of their own process first, each in one agent (its ticks from source
    /// <see cref="ProcessLayout.OwnSource"/>), and once each child is up and told to go (its runtime started, so its start-up
    /// does not eat into the shared scenarios' run; it connects from then on), the shared ones: in this process or over agents.
    /// Ticks are marked with the scenario's index in the run. The first agent error, or null.
    /// </summary>
    private static async Task<string?> RunProcessesAsync(ProcessLayout layout, Action<int, Tick?> onTick, CancellationToken cancel)
    {
        var runs = new List<Task<string?>>();
        var going = new List<Task>();
        foreach (var (plan, index, j) in layout.Own.Select((o, j) => (o.Plan, o.Index, j)))
        {
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            going.Add(started.Task);
            runs.Add(RunAgentsAsync([plan], 1, (_, t) => onTick(layout.OwnSource(j), Marked(t, index)), cancel, started));
        }
        await Task.WhenAll(going).ConfigureAwait(false);
        if (layout.Shared.Count > 0)
        {
            var plans = layout.Shared.Select(s => s.Plan).ToList();
            Tick? Mark(Tick? t) => t is null ? null : Marked(t, layout.Shared[t.Scenario].Index);
            async Task<string?> InProcessAsync()
            {
                await ScenarioSet.RunAsync(plans, t => onTick(0, Mark(t)), cancel).ConfigureAwait(false);
                return null;
            }
            runs.Add(layout.Agents == 0 ? InProcessAsync() : RunAgentsAsync(plans, layout.Agents, (i, t) => onTick(i, Mark(t)), cancel));
        }
        var errors = await Task.WhenAll(runs).ConfigureAwait(false);
        return errors.FirstOrDefault(e => e is not null);
    }

    private static Tick? Marked(Tick? tick, int scenario)
    {
        if (tick is not null) tick.Scenario = scenario;
        return tick;
    }

    private static async Task<string?> RunAgentsAsync(IReadOnlyList<LoadPlan> plans, int count, Action<int, Tick?> onTick, CancellationToken cancel,
        TaskCompletionSource? going = null)
    {
        var agents = new List<AgentProcess>();
        try
        {
            for (int i = 0; i < count; i++)
                agents.Add(AgentProcess.Start(i, plans.Select(p => p with { Share = p.Share.Split(i, count), Samples = AgentSamples(p.Samples, i) }).ToList()));
            string? pumpError = null;
            var pumps = agents.Select(a => Task.Run(async () =>
            {
                bool final = false;
                try { final = await a.PumpAsync(t => onTick(a.Index, t), plans.Count).ConfigureAwait(false); }
                catch (Exception e)
                {
                    pumpError ??= $"agent {a.Index} sent an unreadable report: {e.Message}";
                    a.Kill();
                }
                if (!final) onTick(a.Index, null);
                return final;
            })).ToArray();

            await Task.WhenAny(Task.WhenAll(agents.Select(a => a.ReadyTask)), Task.Delay(TimeSpan.FromSeconds(60), cancel))
                .ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
            foreach (var a in agents) a.Go();
            going?.TrySetResult();

            using var stop = cancel.Register(() => { foreach (var a in agents) a.Stop(); });
            var all = Task.WhenAll(pumps);
            while (!all.IsCompleted)
            {
                await Task.WhenAny(all, Task.Delay(500)).ConfigureAwait(false);
                if (cancel.IsCancellationRequested)
                {
                    // Agents got SIGTERM; give them time to write their final ticks, then make sure.
                    await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(10))).ConfigureAwait(false);
                    break;
                }
            }
            var lost = agents.Where((a, i) => !pumps[i].IsCompletedSuccessfully || !pumps[i].Result).ToList();
            return lost.Count == 0 ? null
                : $"{lost.Count} of {count} agent processes died ({pumpError ?? lost[0].LastError ?? "no message"})";
        }
        finally
        {
            going?.TrySetResult();
            foreach (var a in agents) a.Dispose();
        }
    }

    /// <summary>Each agent writes its own samples file beside the one asked for: samples.csv → samples.agent0.csv.</summary>
    internal static string? AgentSamples(string? path, int agent) => PlanBuilder.NamedBeside(path, $"agent{agent}");

    /// <summary>
    /// In-process while one descriptor table holds the connections; past that, agent processes of up to
    /// <see cref="ClientLoops.PerProcess"/> connections each (several loops with private descriptor tables),
    /// which keeps the coordinator light and each runtime's heap moderate.
    /// </summary>
    internal static int AutoAgents(int connections) =>
        connections <= ClientLoops.PerLoop ? 0 : (int)((connections + ClientLoops.PerProcess - 1) / ClientLoops.PerProcess);

    private sealed record ProbeFailure(string Target, string Kind);

    /// <summary>One connection to each destination before the load starts, so a server that is not there is
    /// reported at once as "connection refused" rather than as a run full of errors.</summary>
    private static async Task<ProbeFailure?> ProbeAsync(IReadOnlyList<LoadPlan> plans)
    {
        var timeout = TimeSpan.FromSeconds(Math.Min(plans.Min(p => p.ConnectTimeout.TotalSeconds), 3));
        var failure = await Probe.RunAsync(plans.SelectMany(p => p.Targets).Distinct().Take(256), timeout).ConfigureAwait(false);
        return failure is { } f ? new ProbeFailure(f.Target, f.Kind) : null;
    }

    private static Tick FailedProbeTick(string kind) => new()
    {
        Seq = 0,
        Attempts = 1,
        ConnectFailed = 1,
        Errors = new() { [kind] = 1 },
        Latency = Histograms.Create(),
        Connect = Histograms.Create(),
        SendLag = Histograms.Create(),
        FirstByte = Histograms.Create(),
        Final = true,
        StopReason = StopReasons.AllFailed,
    };
}
