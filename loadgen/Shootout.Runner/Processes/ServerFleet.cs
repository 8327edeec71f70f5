using System.Text.RegularExpressions;
using Shootout.Common;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>One running server process, as it announced itself; <paramref name="BaseDescriptors"/>: its open files then.</summary>
internal sealed record ServerCopy(ChildProcess Process, int Port, int MetricsPort, int BaseDescriptors = 0)
{
    public string MetricsUrl => $"http://127.0.0.1:{MetricsPort}/metrics";
}

/// <summary>
/// An engine as one or more server processes sharing one port with SO_REUSEPORT: more connections than
/// one process may open files for need several copies. Stopped with SIGTERM, by PID.
/// </summary>
internal sealed partial class ServerFleet : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly List<ServerCopy> _copies = [];

    public ServerLaunch Launch { get; }
    public string Engine => Launch.Name;
    public IReadOnlyList<ServerCopy> Copies => _copies;
    public int Port => _copies[0].Port;

    private ServerFleet(ServerLaunch launch) => Launch = launch;

    /// <summary>
    /// Server copies for <paramref name="connections"/> when each process may hold <paramref name="perProcess"/>.
    /// Several copies are each planned to <see cref="ReusePortFill"/> of that: SO_REUSEPORT does not spread
    /// evenly. Measured at 1M over 54 copies: 16.5K to 19.6K per copy around a mean of 18.6K, so copies
    /// filled to 95% on average turned ~3,000 connections away at their descriptor budget.
    /// </summary>
    public static int CopiesFor(int connections, int perProcess)
    {
        if (connections <= perProcess) return 1;
        int planned = Math.Max(1, (int)(perProcess * ReusePortFill));
        return (connections + planned - 1) / planned;
    }

    public const double ReusePortFill = 0.85;

    /// <summary>
    /// Starts the copies one after another (the first picks the port), on <paramref name="cpus"/> when given (taskset);
    /// throws <see cref="EngineFailure"/> if one does not come up.
    /// </summary>
    public static async Task<ServerFleet> StartAsync(ServerLaunch launch, IReadOnlyList<int> metricsPorts, string logDir, CancellationToken cancel,
        CpuSet? cpus = null)
    {
        var fleet = new ServerFleet(launch);
        string engine = launch.Name;
        try
        {
            if (launch is ContenderLaunch contender)
            {
                await fleet.StartContenderAsync(contender, metricsPorts, logDir, cancel).ConfigureAwait(false);
                return fleet;
            }
            int port = 0;
            for (int i = 0; i < metricsPorts.Count; i++)
            {
                var args = launch.Args(port, metricsPorts[i], metricsPorts.Count > 1);
                var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                var process = ChildProcess.Start($"{engine}-{i}", launch.Executable, args, Path.Combine(logDir, $"server-{engine}-{i}.log"),
                    line => { if (line.StartsWith(launch.AnnouncePrefix, StringComparison.Ordinal)) announced.TrySetResult(line); }, cpus);
                OomScore.OfferFirst(process.Pid);
                var exited = WaitExitAsync(process, cancel);
                var first = await Task.WhenAny(announced.Task, exited, Task.Delay(StartTimeout, cancel)).ConfigureAwait(false);
                if (first != announced.Task)
                {
                    process.DrainOutput();
                    string why = process.HasExited ? $"exited with code {process.ExitCode}" : "did not announce itself within 30 s";
                    await process.StopAsync(Native.SIGTERM, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
                    process.Dispose();
                    cancel.ThrowIfCancellationRequested();
                    throw new EngineFailure($"server copy {i + 1} did not start: {why}: {process.LastLines()}");
                }
                var match = ListeningRegex().Match(announced.Task.Result);
                if (!match.Success)
                {
                    process.Dispose();
                    throw new EngineFailure($"server copy {i + 1} announced an unreadable line: {announced.Task.Result}");
                }
                port = int.Parse(match.Groups["port"].Value);
                fleet._copies.Add(new ServerCopy(process, port, metricsPorts[i], launch.HasMetrics ? 0 : Descriptors(process.Pid) ?? 0));
            }
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task WaitExitAsync(ChildProcess p, CancellationToken cancel)
    {
        while (!p.HasExited && !cancel.IsCancellationRequested)
            await Task.Delay(50, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Null while every copy runs; otherwise what happened to the first that stopped.</summary>
    public string? Crashed()
    {
        var dead = _copies.FirstOrDefault(c => c.Process.HasExited);
        return dead is null ? null : $"server process {dead.Process.Pid} exited with code {dead.Process.ExitCode}: {dead.Process.LastLines()}";
    }

    /// <summary>Open connections over all copies, from their /metrics (or, without metrics, their descriptors); null if one does not answer.</summary>
    public async Task<long?> ConnectionsAsync()
    {
        if (Launch is ContenderLaunch) return ContenderConnections();
        long sum = 0;
        if (!Launch.HasMetrics)
        {
            foreach (var c in _copies)
            {
                if (Descriptors(c.Process.Pid) is not { } open) return null;
                sum += Math.Max(0, open - c.BaseDescriptors);
            }
            return sum;
        }
        foreach (var c in _copies)
        {
            if (await MetricsScrape.SumAsync(c.MetricsUrl, "shootout_server_connections").ConfigureAwait(false) is not { } v) return null;
            sum += (long)v;
        }
        return sum;
    }

    /// <summary>Connections the servers closed themselves, by reason, summed over the copies that answer.</summary>
    public async Task<Dictionary<string, long>> RejectedAsync()
    {
        var total = new Dictionary<string, long>();
        if (!Launch.HasMetrics) return total; // a reference server counts nothing it closes
        foreach (var c in _copies)
        {
            if (await MetricsScrape.TextAsync(c.MetricsUrl).ConfigureAwait(false) is not { } text) continue;
            foreach (var (reason, n) in MetricsScrape.SumBy(text, "shootout_server_connections_rejected_total", "reason"))
                total[reason] = total.GetValueOrDefault(reason) + (long)n;
        }
        foreach (var zero in total.Where(kv => kv.Value == 0).Select(kv => kv.Key).ToList()) total.Remove(zero);
        return total;
    }

    /// <summary>SIGKILL to every copy at once: the machine is running out of memory, there is no time for a clean stop.</summary>
    public void KillAll()
    {
        KillLeftovers(Descendants());
        foreach (var c in _copies) c.Process.Kill();
    }

    public IEnumerable<int> Pids => _copies.Select(c => c.Process.Pid);

    /// <summary>Every process of the servers: the copies and whatever they started (a contender's shell runs its server as a child).</summary>
    public IReadOnlyCollection<int> Processes() => Pids.Concat(Descendants()).ToHashSet();

    /// <summary>
    /// CPU seconds so far of the servers: the copies' own counters, or for a contender its whole process tree
    /// (a server that forks per connection does its work in children, and those that exited are in cutime).
    /// </summary>
    public CpuCounters Cpu()
    {
        if (Launch is not ContenderLaunch) return CpuCounters.Cpu(Pids);
        var trees = ContenderTrees().OfType<ProcessSample>().Aggregate(new ProcessSample(), (sum, tree) => sum + tree);
        return new CpuCounters(trees.CpuUserSeconds, trees.CpuSystemSeconds, 0, 0);
    }

    /// <summary>RSS, threads and CPU summed over the copies, from /proc; null if one is gone.</summary>
    public ProcessSample? Sample()
    {
        if (Launch is ContenderLaunch) return ContenderSample();
        var total = new ProcessSample();
        foreach (var c in _copies)
        {
            if (ProcessSample.Read(c.Process.Pid) is not { } s) return null;
            total += s;
        }
        return total;
    }

    /// <summary>SIGTERM to every copy; true when all exited with 0 within the grace period (10 s unless given).</summary>
    public async Task<bool> StopAsync(TimeSpan? grace = null)
    {
        if (Launch is ContenderLaunch) return await StopContenderAsync(grace ?? TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        var stops = _copies.Select(c => c.Process.StopAsync(Native.SIGTERM, grace ?? TimeSpan.FromSeconds(10))).ToArray();
        var clean = await Task.WhenAll(stops).ConfigureAwait(false);
        return clean.All(x => x) && _copies.All(c => c.Process.HasExited && c.Process.ExitCode == 0);
    }

    public async ValueTask DisposeAsync()
    {
        var descendants = Descendants();
        foreach (var c in _copies)
        {
            if (!c.Process.HasExited) await c.Process.StopAsync(Native.SIGTERM, TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            c.Process.Dispose();
        }
        KillLeftovers(descendants);
        _copies.Clear();
    }

    /// <summary>Open descriptors of a process (entries of /proc/PID/fd); null when it is gone.</summary>
    private static int? Descriptors(int pid)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"listening=\S*:(?<port>\d+)\s")]
    private static partial Regex ListeningRegex();
}

/// <summary>The engine could not be measured; the message says why and goes into the table and summary.json.</summary>
internal sealed class EngineFailure(string message) : Exception(message);
