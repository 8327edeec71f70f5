using System.Globalization;
using Shootout.Common;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;
using Shootout.Runner.Run;

namespace Shootout.Runner.Bench;

/// <summary>
/// The neutral client (tests/bench/bench-client.c): one C epoll thread, so the client is never what is measured, run
/// on the client's CPUs, apart from the server's. Holding modes keep their connections until their hold file goes.
/// </summary>
internal sealed class BenchClient(string path, CpuSet? cpus, string workDir)
{
    private int _started;

    /// <summary>Opens <paramref name="count"/> connections (<c>accept</c>: each echoes one byte; <c>idle</c>: none sends) and holds them.</summary>
    public async Task<HeldConnections> HoldAsync(string mode, string host, int port, int count, TimeSpan timeout, CancellationToken cancel)
    {
        string holdFile = Path.Combine(workDir, $"hold-{Interlocked.Increment(ref _started)}");
        await File.WriteAllTextAsync(holdFile, "", cancel);
        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Start(mode, [mode, host, I(port), I(count), holdFile], l => line.TrySetResult(l));
        var held = new HeldConnections(process, holdFile);
        try
        {
            held.Figures = KeyValues.Parse(await WaitForLineAsync(process, line.Task, timeout, cancel));
            return held;
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Closed loop: <paramref name="connections"/> each send <paramref name="size"/> bytes and wait for them back, for
    /// <paramref name="seconds"/>.
    /// </summary>
    public async Task<(KeyValues Figures, GeneratorCpu? Cpu)> EchoAsync(string host, int port, int connections, int size, double seconds,
        CancellationToken cancel)
    {
        var line = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var process = Start("echo", ["echo", host, I(port), I(connections), I(size), seconds.ToString(CultureInfo.InvariantCulture)],
            l => line.TrySetResult(l));
        using var stopSampling = new CancellationTokenSource();
        var sampling = SampleCpuAsync(process.Pid, stopSampling.Token);
        var figures = KeyValues.Parse(await WaitForLineAsync(process, line.Task, TimeSpan.FromSeconds(seconds + 120), cancel));
        stopSampling.Cancel();
        var cpu = await sampling;
        await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (figures, cpu);
    }

    /// <summary>
    /// The client's own CPU over its run, as a share of the CPUs it may use: sampled from /proc while it runs (once it has
    /// exited its counters are gone), so a throughput it could not drive faster reads as the client's limit, not the server's.
    /// </summary>
    private async Task<GeneratorCpu?> SampleCpuAsync(int pid, CancellationToken stop)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (double Cpu, double At)? first = null, last = null;
        while (!stop.IsCancellationRequested)
        {
            if (ProcessSample.Read(pid) is { } sample)
            {
                var reading = (sample.CpuUserSeconds + sample.CpuSystemSeconds, clock.Elapsed.TotalSeconds);
                first ??= reading;
                last = reading;
            }
            try
            {
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }
        int count = cpus?.Count ?? Environment.ProcessorCount;
        if (first is not { } from || last is not { } to || to.At - from.At < 0.5) return null;
        return new GeneratorCpu("closed", (to.Cpu - from.Cpu) / (to.At - from.At) / count, count);
    }

    private ChildProcess Start(string mode, IReadOnlyList<string> args, Action<string> onStdout)
    {
        var command = cpus is null ? [path, .. args] : cpus.Wrap(path, args);
        return ChildProcess.Start($"bench-client {mode}", command[0], command.Skip(1), Path.Combine(workDir, "bench-client.log"), onStdout);
    }

    private static async Task<string> WaitForLineAsync(ChildProcess process, Task<string> line, TimeSpan timeout, CancellationToken cancel)
    {
        var exited = process.WaitForExitAsync(timeout);
        var first = await Task.WhenAny(line, exited, Task.Delay(Timeout.InfiniteTimeSpan, cancel));
        cancel.ThrowIfCancellationRequested();
        if (first == line) return await line;
        process.DrainOutput();
        if (line.IsCompleted) return await line;
        throw new BenchFailure(process.HasExited
            ? $"bench client exited {process.ExitCode}: {process.LastLines()}"
            : $"bench client said nothing in {timeout.TotalSeconds:0} s");
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Connections the C client holds until released: deleting the hold file lets it close them and exit.</summary>
internal sealed class HeldConnections(ChildProcess process, string holdFile) : IAsyncDisposable
{
    public KeyValues Figures { get; set; } = KeyValues.Parse("");

    public bool Alive => !process.HasExited;

    public async ValueTask DisposeAsync()
    {
        File.Delete(holdFile);
        if (!await process.WaitForExitAsync(TimeSpan.FromSeconds(30))) process.Kill();
        process.Dispose();
    }
}

/// <summary>A row's measurement could not be taken: the row fails with this line, the bench goes on.</summary>
internal sealed class BenchFailure(string message) : Exception(message);
