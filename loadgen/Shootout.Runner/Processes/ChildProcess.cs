using System.Diagnostics;
using Shootout.Common;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>
/// A process the runner started: its output goes to a log file (stdout lines may also be watched), and
/// it is stopped by its PID — a signal first, SIGKILL if it does not go in time. Every one is registered
/// with the run (<see cref="RunRegistry"/>), so a next run stops it if this runner dies without doing so.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _lock = new();
    private readonly List<string> _tail = [];
    private Action<string>? _onStdout;
    private bool _closed;

    public int Pid { get; private set; }
    public string Name { get; }

    private ChildProcess(string name, Process process, StreamWriter log)
    {
        Name = name;
        _process = process;
        _log = log;
    }

    /// <param name="cpus">Run it on these CPUs only (<c>taskset -c</c>, which execs: the PID is the program's, its threads and
    /// children inherit the set); null: wherever the runner may run.</param>
    /// <param name="environment">Variables set for it on top of the runner's own.</param>
    public static ChildProcess Start(string name, string path, IEnumerable<string> args, string logPath, Action<string>? onStdout = null,
        CpuSet? cpus = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        if (cpus is not null)
        {
            var wrapped = cpus.Wrap(path, args);
            (path, args) = (wrapped[0], wrapped.Skip(1).ToList());
        }
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>()) info.Environment[variable] = value;
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"$ {path} {string.Join(' ', info.ArgumentList)}");
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(name, process, log) { _onStdout = onStdout };
        process.OutputDataReceived += (_, e) => child.Line(e.Data, isStdout: true);
        process.ErrorDataReceived += (_, e) => child.Line(e.Data, isStdout: false);
        process.Start();
        child.Pid = process.Id;
        RunRegistry.Current?.Add(child.Pid, name);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Line(string? line, bool isStdout)
    {
        if (line is null) return;
        lock (_lock)
        {
            if (_closed) return;
            _log.WriteLine(isStdout ? line : "stderr: " + line);
            _tail.Add(line);
            if (_tail.Count > 20) _tail.RemoveAt(0);
        }
        if (isStdout) _onStdout?.Invoke(line);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Once exited, waits until everything it wrote has been read, so <see cref="LastLines"/> is complete.</summary>
    public void DrainOutput()
    {
        if (_process.HasExited)
            _process.WaitForExit(); // without a timeout, this also waits for the output readers to reach the end
    }
    public int ExitCode => _process.ExitCode;

    /// <summary>The last few lines it wrote, for error messages.</summary>
    public string LastLines(int count = 3)
    {
        lock (_lock) return string.Join(" | ", _tail.TakeLast(count));
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="signal"/>, waits up to <paramref name="grace"/>, then SIGKILL. True if it went on its own.</summary>
    public async Task<bool> StopAsync(int signal, TimeSpan grace)
    {
        if (_process.HasExited) return true;
        Native.Signal(Pid, signal);
        if (await WaitForExitAsync(grace).ConfigureAwait(false)) return true;
        Kill();
        await WaitForExitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        return false;
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited) Native.Signal(Pid, Native.SIGKILL);
        }
        catch (InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        Kill();
        _process.WaitForExit(5000);
        // Let the asynchronous readers drain before the log closes.
        lock (_lock)
        {
            _closed = true;
            _log.Dispose();
        }
        _process.Dispose();
    }
}
