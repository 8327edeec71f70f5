using System.Text.Json.Nodes;
using Shootout.Common;
using Shootout.Common.Cli;
using Shootout.Results;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>What one loadgen run reported in its DIR/summary.json: typed (<see cref="LoadGenResult"/>, the model the
/// load generator's tests check its file against), and as JSON for what is not typed yet (the latency spectrum).</summary>
internal sealed record LoadGenSummary(JsonNode Json, LoadGenResult Result, int ExitCode)
{
    /// <summary>The neighbours command's figures (its three scenarios); null for every other command.</summary>
    public NeighboursFigures? Neighbours => NeighboursFigures.Of(Result);

    public string Status => Result.Status;
    public string? Message => Result.Message;
    public long Established => Result.Connections.Established;
    public long Requested => Result.Connections.Requested;
    public long MessagesOk => Result.Messages.Ok;
    public double ConnectRate => Result.ConnectRatePerS;
    public double RateRequested => Result.Rate.Requested;
    public double RateAchieved => Result.Rate.Achieved;

    /// <summary>The share (0..1) of its CPUs the load generator and its agents used over the run (/proc), when measured.</summary>
    public double? GeneratorShare { get; init; }

    /// <summary>The kinds of the load generator's hints: reasons its figures may be its own, not the server's.</summary>
    public IReadOnlyList<string> Hints => Result.Hints.Select(h => h.Kind).ToList();
}

/// <summary>
/// The load generator as a subprocess (its CLI is the contract): one scenario, its own report directory,
/// stdout and stderr in a log file.
/// </summary>
internal sealed class LoadGenRun : IDisposable
{
    private readonly ChildProcess _process;
    public string ReportDir { get; }

    private LoadGenRun(ChildProcess process, string reportDir)
    {
        _process = process;
        ReportDir = reportDir;
    }

    /// <param name="cpus">The CPUs it and its agents run on (taskset); null: any.</param>
    public static LoadGenRun Start(string loadGenPath, string name, IEnumerable<string> args, string reportDir, CpuSet? cpus = null)
    {
        Directory.CreateDirectory(reportDir);
        var all = args.Concat(["--report-dir", reportDir, "--plain"]);
        return new LoadGenRun(ChildProcess.Start(name, loadGenPath, all, Path.Combine(reportDir, "loadgen.log"), cpus: cpus,
            environment: LoadGenRuntime.Environment), reportDir);
    }

    /// <summary>
    /// Runs one scenario to its end (bounded by <paramref name="timeout"/>) and reads its summary, with the share
    /// of its CPUs (<paramref name="cpus"/>, or all this runner may use) that it and its agents used meanwhile.
    /// </summary>
    public static async Task<LoadGenSummary> RunAsync(string loadGenPath, string name, IEnumerable<string> args, string reportDir,
        TimeSpan timeout, CancellationToken cancel, CpuSet? cpus = null)
    {
        using var run = Start(loadGenPath, name, args, reportDir, cpus);
        await using var meter = run.MeterCpu(cpus);
        using var reg = cancel.Register(() => Native.Signal(run._process.Pid, Native.SIGTERM));
        if (!await run._process.WaitForExitAsync(timeout).ConfigureAwait(false))
            await run._process.StopAsync(Native.SIGTERM, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        cancel.ThrowIfCancellationRequested();
        return run.Summary() with { GeneratorShare = await meter.StopAsync() };
    }

    /// <summary>Starts reading the CPU the load generator and its agents use, as a share of <paramref name="cpus"/> (null: all this runner may use).</summary>
    public TreeCpuMeter MeterCpu(CpuSet? cpus) => TreeCpuMeter.Start(Pid, (cpus ?? CpuSet.Allowed()).Count);

    public bool HasExited => _process.HasExited;
    public int Pid => _process.Pid;
    private bool _paused;

    /// <summary>
    /// Stops it opening more connections, keeping the ones it holds: SIGSTOP to the loadgen and its agents
    /// (the kernel keeps a stopped process's connections open).
    /// </summary>
    public void Pause()
    {
        if (_process.HasExited) return;
        _paused = true;
        Native.Signal(Pid, Native.SIGSTOP);
        foreach (int pid in ProcessTree.Descendants(Pid)) Native.Signal(pid, Native.SIGSTOP);
    }

    /// <summary>Resident memory of the loadgen and its agents.</summary>
    public long RssBytes() => _process.HasExited ? 0 : ProcessTree.RssBytes(Pid);

    /// <summary>
    /// Ends a run with no set end (hold): SIGTERM makes the loadgen close, write its reports and exit 130.
    /// SIGTERM rather than SIGINT: a runner started in the background by a shell without job control
    /// (<c>make million &amp;</c> in a script) passes SIGINT on as ignored, and .NET then leaves it ignored.
    /// </summary>
    /// <param name="grace">How long the loadgen may take to close what it holds and write its reports.</param>
    public async Task<LoadGenSummary> InterruptAsync(TimeSpan grace)
    {
        if (_paused && !_process.HasExited)
        {
            // The interrupt waits as a pending signal, so on waking the first thing the loadgen does is stop.
            Native.Signal(Pid, Native.SIGTERM);
            Resume();
        }
        await _process.StopAsync(Native.SIGTERM, grace).ConfigureAwait(false);
        return Summary();
    }

    private void Resume()
    {
        _paused = false;
        foreach (int pid in ProcessTree.Descendants(Pid)) Native.Signal(pid, Native.SIGCONT);
        Native.Signal(Pid, Native.SIGCONT);
    }

    private LoadGenSummary Summary()
    {
        string path = Path.Combine(ReportDir, "summary.json");
        int code = _process.HasExited ? _process.ExitCode : -1;
        if (!File.Exists(path))
            throw new EngineFailure($"the load generator wrote no summary.json (exit {code}): {_process.LastLines()}");
        try
        {
            string text = File.ReadAllText(path);
            return new LoadGenSummary(JsonNode.Parse(text)!, LoadGenResult.Parse(text), code);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new EngineFailure($"the load generator's summary.json is unreadable: {e.Message}");
        }
    }

    public string LastLines(int count = 3) => _process.LastLines(count);

    /// <summary>SIGKILL to the loadgen and its agents, by PID, without waiting (the machine is running out of memory).</summary>
    public void KillTree()
    {
        if (_process.HasExited) return;
        var agents = ProcessTree.Descendants(Pid);
        Native.Signal(Pid, Native.SIGKILL);
        foreach (int pid in agents) Native.Signal(pid, Native.SIGKILL);
    }

    /// <summary>Stops the loadgen and every agent it started, by PID (agents would otherwise hold their connections on).</summary>
    public void Dispose()
    {
        var agents = _process.HasExited ? [] : ProcessTree.Descendants(Pid);
        foreach (int pid in agents) Native.Signal(pid, Native.SIGKILL);
        _process.Dispose();
    }

    /// <summary>The duration syntax the loadgen reads.</summary>
    public static string Duration(TimeSpan t) => ValueSyntax.FormatDuration(t);
}
