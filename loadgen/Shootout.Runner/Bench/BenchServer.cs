using Shootout.Common;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Bench;

/// <summary>
/// A fresh server process for one measurement, on the server's CPUs, listening on its own port; warmed up the same way for
/// every row (<see cref="BenchSettings.WarmupConnections"/> connections opened, used and closed), so one-off JIT and first
/// heap growth are not charged to the connections measured next.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly ChildProcess _process;

    public int Pid => _process.Pid;
    public string Host { get; }
    public int Port { get; }

    private BenchServer(ChildProcess process, string host, int port)
    {
        _process = process;
        Host = host;
        Port = port;
    }

    public bool Alive => !_process.HasExited;

    public static async Task<BenchServer> StartAsync(BenchRow row, string host, ServerPorts ports, CpuSet? cpus, BenchClient client, string workDir,
        CancellationToken cancel)
    {
        string why = "";
        for (int attempt = 0; attempt < 5; attempt++)
        {
            int port = ports.Next();
            var announced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var args = row.Launch.Args(port, metricsPort: 0, severalCopies: false);
            var command = cpus is null ? [row.Launch.Executable, .. args] : cpus.Wrap(row.Launch.Executable, args);
            var process = ChildProcess.Start(row.Name, command[0], command.Skip(1), Path.Combine(workDir, $"{row.Subject}.log"),
                line => { if (line.StartsWith(row.Launch.AnnouncePrefix, StringComparison.Ordinal)) announced.TrySetResult(); });
            var exited = process.WaitForExitAsync(TimeSpan.FromSeconds(30));
            await Task.WhenAny(announced.Task, exited, Task.Delay(Timeout.InfiniteTimeSpan, cancel));
            if (announced.Task.IsCompleted && !process.HasExited)
            {
                var server = new BenchServer(process, host, port);
                try
                {
                    await server.WarmUpAsync(client, cancel);
                    return server;
                }
                catch
                {
                    await server.DisposeAsync();
                    throw;
                }
            }
            process.DrainOutput();
            why = process.HasExited ? process.LastLines(1) : "it did not say it listens within 30 s";
            process.Dispose();
            cancel.ThrowIfCancellationRequested();
            // A port taken by something else meanwhile: the next one. Anything else is the row's failure.
            if (!why.Contains("in use", StringComparison.OrdinalIgnoreCase)) break;
        }
        throw new BenchFailure($"did not start: {why}");
    }

    private async Task WarmUpAsync(BenchClient client, CancellationToken cancel)
    {
        await using (await client.HoldAsync("accept", Host, Port, BenchSettings.WarmupConnections, TimeSpan.FromSeconds(60), cancel))
        {
        }
        await UntilSteadyAsync(cancel);
    }

    /// <summary>Until the server's descriptor count reads the same twice 0.5 s apart (up to 10 s): it has closed what was closed on it.</summary>
    public async Task UntilSteadyAsync(CancellationToken cancel)
    {
        int previous = -1;
        for (int i = 0; i < 20; i++)
        {
            await Task.Delay(500, cancel);
            int now = ServerCounters.DescriptorsOf(Pid);
            if (now == previous) return;
            previous = now;
        }
    }

    public ServerCounters Counters() =>
        Alive ? ServerCounters.Read(Pid) : throw new BenchFailure($"the server exited: {_process.LastLines()}");

    public async ValueTask DisposeAsync()
    {
        await _process.StopAsync(Machine.Native.SIGTERM, TimeSpan.FromSeconds(10));
        _process.Dispose();
    }
}

/// <summary>
/// The servers' ports: one per measurement, under the kernel's ephemeral range (and under 15,000, where the runner starts
/// that range when it widens it), so no client socket can hold one; a port taken all the same is skipped.
/// </summary>
internal sealed class ServerPorts
{
    private int _next;

    public ServerPorts()
    {
        int low = 15_000;
        try
        {
            var range = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            low = Math.Min(low, int.Parse(range[0], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
        }
        _next = Math.Max(2_000, low - 3_000);
    }

    public int Next()
    {
        int port = Ports.FreeFrom(_next);
        _next = port + 1;
        return port;
    }
}
