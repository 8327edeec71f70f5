using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>
/// A contender (<see cref="ContenderLaunch"/>): started through the shell on a port the run chose, ready when
/// the port listens and one message echoes, read over its process tree, stopped with its whole tree.
/// </summary>
internal sealed partial class ServerFleet
{
    private const int ProbeBytes = 32;

    private async Task StartContenderAsync(ContenderLaunch launch, IReadOnlyList<int> metricsPorts, string logDir, CancellationToken cancel)
    {
        int port = Ports.Free();
        int starts = launch.Starts(metricsPorts.Count);
        for (int i = 0; i < starts; i++)
        {
            var process = ChildProcess.Start($"{launch.Name}-{i}", launch.Executable, ["-c", launch.CommandLine(port, i, starts)],
                Path.Combine(logDir, $"server-{launch.Name}-{i}.log"));
            OomScore.OfferFirst(process.Pid);
            _copies.Add(new ServerCopy(process, port, metricsPorts[i]));
            var deadline = DateTime.UtcNow + StartTimeout;
            // With {copy}, every copy has its own listening socket on the port (SO_REUSEPORT): wait for this one's.
            while (TcpSockets.Listening(port) < i + 1)
            {
                if (process.HasExited)
                {
                    process.DrainOutput();
                    throw new EngineFailure($"never listened on port {port}: `{launch.CommandLine(port, i, starts)}` exited with code " +
                                            $"{process.ExitCode}: {process.LastLines()}");
                }
                if (DateTime.UtcNow > deadline)
                    throw new EngineFailure($"never listened on port {port} within {StartTimeout.TotalSeconds:0} s " +
                                            $"(`{launch.CommandLine(port, i, starts)}` still running): {process.LastLines()}");
                await Task.Delay(50, cancel).ConfigureAwait(false);
            }
        }
        if (await EchoProbe.CheckAsync(port, ProbeBytes, cancel).ConfigureAwait(false) is { } wrong)
            throw new EngineFailure($"does not echo: {wrong}");
    }

    /// <summary>Connections the contender's processes accepted on its port, from the kernel's socket table; null once it is gone.</summary>
    private long? ContenderConnections() => _copies.Any(c => c.Process.HasExited) ? null : TcpSockets.Accepted(Port);

    /// <summary>Σ PSS, threads and CPU over every copy's process tree; null if a copy is gone.</summary>
    private ProcessSample? ContenderSample()
    {
        var trees = ContenderTrees();
        return trees.Any(tree => tree is null) ? null : trees.Aggregate(new ProcessSample(), (sum, tree) => sum + tree!.Value);
    }

    /// <summary>Each copy's process tree read now (<see cref="ProcessTreeSample"/>); null for a copy that is gone.</summary>
    private List<ProcessSample?> ContenderTrees() => _copies.Select(c => ProcessTreeSample.Read(c.Process.Pid)).ToList();

    /// <summary>
    /// SIGTERM to every process of the trees at once (a shell that started the server would not pass it on),
    /// then SIGKILL to whatever outlived its root. Clean: every root exited within the grace period (with
    /// any code: someone else's server need not exit 0 on SIGTERM).
    /// </summary>
    private async Task<bool> StopContenderAsync(TimeSpan grace)
    {
        var descendants = Descendants();
        foreach (var pid in descendants) Native.Signal(pid, Native.SIGTERM);
        var stops = _copies.Select(c => c.Process.StopAsync(Native.SIGTERM, grace)).ToArray();
        var clean = await Task.WhenAll(stops).ConfigureAwait(false);
        KillLeftovers(descendants);
        return clean.All(x => x);
    }

    private List<int> Descendants() => _copies.Where(c => !c.Process.HasExited).SelectMany(c => ProcessTree.Descendants(c.Process.Pid)).ToList();

    /// <summary>SIGKILL to the processes of <paramref name="pids"/> still alive (children a stopped contender left behind).</summary>
    private static void KillLeftovers(IEnumerable<int> pids)
    {
        foreach (var pid in pids)
            if (File.Exists($"/proc/{pid}/stat")) Native.Signal(pid, Native.SIGKILL);
    }
}
