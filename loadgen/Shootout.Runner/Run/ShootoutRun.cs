using System.Diagnostics;
using Shootout.Runner.Cli;
using Shootout.Runner.Live;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;
using Shootout.Runner.Reports;

namespace Shootout.Runner.Run;

/// <summary>
/// The run: kernel limits, the results directory, a local Prometheus when installed, each engine in turn,
/// then the reports. Exit 0 when every engine was measured, 1 when one failed, 130 when interrupted.
/// </summary>
internal static class ShootoutRun
{
    /// <summary>Open files a server process keeps for itself (listeners, metrics, runtime) and for the echo phases.</summary>
    private const int FileHeadroom = 1_000;

    public static async Task<int> RunAsync(RunnerSettings settings, CancellationToken cancel)
    {
        var started = DateTimeOffset.Now;
        var wall = Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        string dir = CreateResultsDir(settings.ResultsDir, started);
        bool interactive = !settings.Plain && !Console.IsOutputRedirected && Spectre.Console.AnsiConsole.Profile.Capabilities.Interactive;
        var plain = new PlainView(Console.Out);
        foreach (var dead in await DeadRuns.StopLeftoversAsync()) plain.Line(dead.Describe());
        using var registry = RunRegistry.Open(dir, started);

        var notes = new List<string>();
        int connections = settings.Connections;
        int perProcess = (int)Math.Max(100, Math.Min(int.MaxValue, machine.RlimitNofile) - FileHeadroom
            - Math.Max(settings.WarmupConnections, Math.Max(settings.EchoConnections, settings.ClosedConnections)));
        int processes = ServerFleet.CopiesFor(connections, perProcess);
        var changes = Limits(settings, ref connections, ref processes, perProcess, notes, plain);

        var (references, skipped) = References.Find(settings.ReferencesDir, settings.References);
        foreach (var (name, why) in skipped)
        {
            plain.Line($"reference {name} skipped: {why}");
            notes.Add($"reference {name} skipped: {why}");
        }
        var launches = settings.Engines.Select(e => (ServerLaunch)new EngineLaunch(e, settings.ServerPath, settings.ServerArgs))
            .Concat(references).Concat(settings.Contenders).ToList();
        // A contender is started once unless its command names {copy}: it may fork or thread as it likes.
        var plans = launches.Select((l, i) => new EnginePlan(l.Name, i,
            Enumerable.Range(0, l is ContenderLaunch c ? c.Starts(processes) : processes).Select(_ => Ports.Free()).ToList(), Ports.Free(),
            Ports.Free(), connections, Path.Combine(dir, l switch { ReferenceLaunch => "reference-", ContenderLaunch => "contender-", _ => "" } + l.Name),
            l)).ToList();

        var names = plans.Select(p => p.Kind.Label(p.Engine));
        plain.Line($"shootout: {string.Join(", ", names)}");
        plain.Line($"{connections:N0} idle connections each over {processes} server process(es) (open-file limit {machine.RlimitNofile})");
        // On a line of its own: scripts and tests read the directory from the end of this line.
        plain.Line($"results in {dir}");
        plain.Line(settings.Cpus is { } cpus
            ? $"cpus: server processes on {cpus.Server}, load generator on {cpus.LoadGen} (taskset; --shared-cpus to share them)"
            : $"cpus: server processes and load generator share CPUs {Shootout.Common.CpuSet.Allowed()} (figures may be partly the generator's)");
        // The runner reads /proc and scrapes the servers all along: it measures, so it stays off the servers' CPUs too.
        if (settings.Cpus is { } roles && !Native.PinThisProcess(roles.LoadGen))
            plain.Line($"cpus: this runner could not move itself to CPU {roles.LoadGen}; it may take some of the servers' CPU");
        using var prometheus = await StartPrometheusAsync(settings, plans, dir, plain);

        var results = new List<EngineResult>();
        var stolen = StolenTime.Start();
        int code;
        try
        {
            code = interactive
                ? await LiveView.RunAsync(view => RunEnginesAsync(settings, plans, view, results, cancel))
                : await RunEnginesAsync(settings, plans, plain, results, cancel);
        }
        finally
        {
            if (prometheus is not null)
            {
                await prometheus.StopAsync();
                plain.Line($"prometheus (pid {prometheus.Pid}) stopped; its data is in {Path.Combine(dir, "prometheus")}");
            }
            PutLimitsBack(settings, changes, notes, plain);
            ServerCgroup.RemoveOfThisRun(); // every server has been stopped by now
        }

        if (stolen.Note() is { } steal)
        {
            plain.Line(steal);
            notes.Add(steal);
        }
        foreach (var r in results.Where(r => r.KernelBytesPerConnection < 0))
            notes.Add($"{r.Engine}: the kernel's slab memory shrank while it ramped (something else on the machine freed more than " +
                      $"the connections took), so its kernel B/conn ({r.KernelBytesPerConnection:N0}) is not meaningful");
        var engines = results.Where(r => r.Kind == RowKind.Engine).ToList();
        var summary = new RunSummary(settings, machine, engines, started, wall.Elapsed.TotalSeconds, changes, notes, connections)
        {
            References = results.Where(r => r.IsReference).ToList(),
            Contenders = results.Where(r => r.IsContender).ToList(),
            ReferencesSkipped = skipped,
        };
        ReportFiles.WriteAll(dir, summary);
        PointLatest(settings.ResultsDir, dir);
        ConsoleTable.Print(summary, interactive);
        Console.Out.WriteLine($"reports: {Path.Combine(dir, "report.md")} and report.html beside it");
        Console.Out.WriteLine($"(results/latest -> {Path.GetFileName(dir)}); wall time {wall.Elapsed.TotalSeconds:0} s");
        foreach (var failed in results.Where(r => r.Status != "ok"))
            Console.Error.WriteLine($"shootout-runner: {failed.Kind.Name()} " +
                                    $"{failed.Engine} failed: {failed.Error}");
        if (code == 0 && !summary.AllOk) code = 1;
        return code;
    }

    private static async Task<int> RunEnginesAsync(RunnerSettings settings, IReadOnlyList<EnginePlan> plans, IRunView view,
        List<EngineResult> results, CancellationToken cancel)
    {
        foreach (var plan in plans)
        {
            var result = await new EngineRun(settings, plan, view).RunAsync(cancel);
            results.Add(result);
            if (cancel.IsCancellationRequested)
            {
                view.Line("interrupted: writing what was measured so far");
                return 130;
            }
        }
        return 0;
    }

    /// <summary>Raises the kernel limits the run needs as root, or (not root, or --no-sysctl) says what limits it and shrinks the run to fit.</summary>
    private static List<SysctlChange> Limits(RunnerSettings settings, ref int connections, ref int processes, int perProcess,
        List<string> notes, IRunView view)
    {
        var limits = KernelLimits.System;
        int threadsNow = KernelLimits.ThreadsNow();
        bool threadsEngine = settings.Engines.Contains("threads") || settings.References.Contains("rust");
        if (Native.IsRoot && settings.TuneSysctls)
        {
            try
            {
                var changes = limits.Raise(KernelLimits.Needs(connections, processes, threadsNow, limits.ConntrackInUse()));
                foreach (var c in changes) view.Line($"sysctl {c.Name}: {c.Old} -> {c.New}");
                if (changes.Count == 0) view.Line("sysctl: the kernel limits already allow this run");
                return changes;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                view.Line($"sysctl: cannot raise kernel limits ({e.Message}); running at the scale they allow");
            }
        }
        else
        {
            view.Line(Native.IsRoot ? "sysctl: --no-sysctl given, kernel limits left as they are" : "sysctl: not root, kernel limits left as they are");
        }
        if (limits.ConntrackWarning(connections) is { } conntrack)
        {
            view.Line(conntrack);
            notes.Add(conntrack);
        }
        if (threadsEngine && limits.Cap(connections, processes, threadsNow) is { } cap)
        {
            string note = $"{cap.Reason} allows about {cap.Connections:N0} threads-engine connections: " +
                          $"running at {cap.Connections:N0} instead of {connections:N0} (root raises it)";
            view.Line(note);
            notes.Add(note);
            connections = cap.Connections;
            processes = ServerFleet.CopiesFor(connections, perProcess);
        }
        return [];
    }

    /// <summary>After the engines (their processes are gone): the kernel limits the run raised go back to what they were.</summary>
    private static void PutLimitsBack(RunnerSettings settings, List<SysctlChange> changes, List<string> notes, IRunView view)
    {
        if (changes.Count == 0) return;
        if (!settings.RestoreSysctls)
        {
            view.Line("sysctl: --keep-sysctl given, the raised kernel limits stay");
            notes.Add("the kernel limits raised for the run were left in place (--keep-sysctl)");
            return;
        }
        try
        {
            var restored = KernelLimits.System.Restore(changes);
            foreach (var c in restored) view.Line($"sysctl {c.Name}: put back to {c.Old}");
            foreach (var c in changes.Except(restored)) view.Line($"sysctl {c.Name}: changed by someone else during the run, left as it is");
            notes.Add(restored.Count == changes.Count
                ? "the kernel limits raised for the run were put back afterwards"
                : $"{restored.Count} of the {changes.Count} kernel limits raised for the run were put back afterwards; " +
                  "the others had been changed by someone else");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            view.Line($"sysctl: cannot put the kernel limits back ({e.Message}); they stay raised");
            notes.Add($"the kernel limits raised for the run could not be put back ({e.Message})");
        }
    }

    private static async Task<LocalPrometheus?> StartPrometheusAsync(RunnerSettings settings, IReadOnlyList<EnginePlan> plans, string dir, IRunView view)
    {
        var servers = plans.Where(p => p.Launch.HasMetrics).SelectMany(p => p.ServerMetricsPorts.Select(port => new ScrapeTarget(port, p.Engine))).ToList();
        var loadgens = plans.SelectMany(p => new[]
        {
            new ScrapeTarget(p.HoldMetricsPort, p.Engine, "hold"),
            new ScrapeTarget(p.EchoMetricsPort, p.Engine, "echo"),
        }).ToList();
        string? rules = RulesFile();
        string configPath = Path.Combine(dir, "prometheus.yml");
        File.WriteAllText(configPath, LocalPrometheus.Config(rules, servers, loadgens));
        if (!settings.Prometheus) return null;
        if (LocalPrometheus.Find() is not { } binary)
        {
            view.Line("prometheus: not installed (Debian package 'prometheus'); the config for it is in " + configPath);
            return null;
        }
        try
        {
            int port = Ports.FreeFrom(settings.PrometheusPort);
            var p = await LocalPrometheus.StartAsync(binary, configPath, Path.Combine(dir, "prometheus"), port, Path.Combine(dir, "prometheus.log"),
                settings.Cpus?.LoadGen);
            view.Line($"prometheus: {p.Url} (pid {p.Pid}) scraping every server process and the loadgen each second");
            return p;
        }
        catch (InvalidOperationException e)
        {
            view.Line($"prometheus: not started: {e.Message}");
            return null;
        }
    }

    /// <summary>infra/prometheus/rules.yml of the repository this runner was built from, if it is there.</summary>
    private static string? RulesFile()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "infra", "prometheus", "rules.yml");
            if (File.Exists(candidate)) return candidate;
            if (File.Exists(Path.Combine(d.FullName, "Shootout.sln"))) return null;
        }
        return null;
    }

    private static string CreateResultsDir(string root, DateTimeOffset started)
    {
        string name = started.ToString("yyyyMMdd-HHmmss");
        string dir = Path.GetFullPath(Path.Combine(root, name));
        for (int i = 2; Directory.Exists(dir); i++) dir = Path.GetFullPath(Path.Combine(root, $"{name}-{i}"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>results/latest -> the newest run (a relative symlink, swapped in atomically).</summary>
    private static void PointLatest(string root, string dir)
    {
        string latest = Path.Combine(root, "latest");
        string temp = Path.Combine(root, $".latest-{Environment.ProcessId}");
        try
        {
            if (new FileInfo(temp).LinkTarget is not null) File.Delete(temp);
            File.CreateSymbolicLink(temp, Path.GetFileName(dir));
            // A real directory named latest is left alone (rename fails); the run's own directory is printed anyway.
            if (!Native.Rename(temp, latest)) File.Delete(temp);
        }
        catch (IOException)
        {
        }
    }
}
