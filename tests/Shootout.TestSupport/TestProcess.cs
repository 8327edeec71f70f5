using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Shootout.TestSupport;

/// <summary>
/// A real executable a test started, and the one way tests start them: standard output and error captured
/// by line (both drained from the start, so a child never stalls on a full pipe), standard input a pipe
/// rather than the test host's terminal, and always stopped: <see cref="Dispose"/> asks by PID
/// (<see cref="ProcessOptions.StopSignal"/>), then kills its whole process group.
/// <para>
/// Each process leads a process group of its own (it is started through setsid(1), which execs it under the
/// same PID), so what it starts in turn — a runner's servers and load generators, a script's children — is
/// stopped with it, even after it was re-parented.
/// </para>
/// </summary>
public sealed class TestProcess : IDisposable
{
    private const string Setsid = "/usr/bin/setsid";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly ProcessOptions _options;
    private readonly Lock _lock = new();
    private readonly List<string> _stdout = [], _stderr = [], _all = [];
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _disposed;

    public string Name { get; }

    /// <summary>The executable and its arguments, for messages.</summary>
    public string CommandLine { get; }
    public int Pid { get; }
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    /// <summary>User plus system CPU time so far.</summary>
    public TimeSpan TotalProcessorTime => _process.TotalProcessorTime;

    private TestProcess(string name, string commandLine, Process process, ProcessOptions options)
    {
        Name = name;
        CommandLine = commandLine;
        _process = process;
        _options = options;
        Pid = process.Id;
    }

    /// <summary>Starts <paramref name="executable"/> (a path, or a name looked up on PATH).</summary>
    public static TestProcess Start(string executable, IEnumerable<string> args, ProcessOptions? options = null)
    {
        options ??= new ProcessOptions();
        if (executable.Contains('/') && !File.Exists(executable))
            throw new FileNotFoundException($"{executable} not found");
        var info = new ProcessStartInfo(Setsid)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = options.WorkingDirectory ?? RepoPaths.Root,
        };
        if (options.FileLimit is { } limit)
        {
            // The shell lowers the limit, then execs the executable: still the same PID.
            info.ArgumentList.Add("/bin/sh");
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -n {limit} && exec \"$0\" \"$@\"");
        }
        info.ArgumentList.Add(executable);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        options.Environment?.Invoke(info.Environment);

        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        var child = new TestProcess(options.Name ?? Path.GetFileName(executable), $"{executable} {string.Join(' ', args)}", process, options);
        process.OutputDataReceived += (_, e) => child.Add(e.Data, child._stdout, child._stdoutClosed);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data, child._stderr, child._stderrClosed);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Runs to completion within <paramref name="timeout"/>. On overrun, or when <paramref name="whileRunning"/>
    /// throws, the process is stopped and the exception says so with its output.
    /// </summary>
    /// <param name="whileRunning">Runs once the process has started, before the wait: the test may signal or watch it there.</param>
    public static ProcessResult Run(string executable, IEnumerable<string> args, TimeSpan timeout,
        Action<TestProcess>? whileRunning = null, ProcessOptions? options = null)
    {
        using var process = Start(executable, args, options);
        whileRunning?.Invoke(process);
        if (!process.WaitForExit(timeout))
        {
            process.Stop();
            throw new TimeoutException($"{process.CommandLine} (pid {process.Pid}) did not finish within {timeout}\n{process.Tail(40)}");
        }
        return new ProcessResult(process.ExitCode, process.Stdout, process.Stderr);
    }

    /// <summary>Everything printed on standard output so far, a line each.</summary>
    public string Stdout => Text(_stdout);

    public string Stderr => Text(_stderr);

    /// <summary>Both streams, interleaved as they arrived.</summary>
    public string Output => Text(_all);

    /// <summary>The last <paramref name="lines"/> lines of output, for a failure message.</summary>
    public string Tail(int lines)
    {
        lock (_lock)
            return string.Join('\n', _all.Skip(Math.Max(0, _all.Count - lines)));
    }

    /// <summary>Waits until a line of output matches, and returns the match; fails at once if the process exits first.</summary>
    public Match WaitForLine(Regex pattern, TimeSpan timeout, bool stdoutOnly = false)
    {
        var lines = stdoutOnly ? _stdout : _all;
        return Wait.For(() =>
        {
            bool exited = HasExited && Drained;
            Match? found;
            lock (_lock)
                found = lines.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success);
            if (found is null && exited)
                throw new InvalidOperationException($"{Describe()} exited ({ExitCode}) before printing /{pattern}/:\n{Tail(40)}");
            return found;
        }, timeout, $"{Name} to print /{pattern}/");
    }

    /// <summary>Sends a signal to the process itself (not its group).</summary>
    public bool Signal(int signal) => Signals.Send(Pid, signal);

    /// <summary>Waits for the exit and for its output to be read to the end; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout) => WaitForExit(timeout, DrainTimeout);

    /// <summary>
    /// Stops the process if it still runs: <see cref="ProcessOptions.StopSignal"/> to its PID, then, if it has not
    /// gone within <see cref="ProcessOptions.StopGrace"/>, SIGKILL to its whole process group. Whatever it
    /// started and left behind in its group is killed too.
    /// </summary>
    public void Stop()
    {
        if (!_process.HasExited)
        {
            Signal(_options.StopSignal);
            if (!WaitForExit(_options.StopGrace, leftoverGrace: TimeSpan.Zero))
            {
                Signals.SendToGroup(Pid, Signals.SigKill);
                WaitForExit(TimeSpan.FromSeconds(10), leftoverGrace: TimeSpan.Zero);
            }
        }
        // The kernel does not hand out this PID again while a process of its group is alive, so this reaches
        // only what the process left behind (nothing, usually).
        Signals.SendToGroup(Pid, Signals.SigKill);
    }

    private bool WaitForExit(TimeSpan timeout, TimeSpan leftoverGrace)
    {
        if (!_process.WaitForExit(timeout))
            return false;
        // Output still open after the exit is held by something it started and left behind: that is stopped too.
        var outputClosed = Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task);
        if (!outputClosed.Wait(leftoverGrace))
        {
            Signals.SendToGroup(Pid, Signals.SigKill);
            outputClosed.Wait(DrainTimeout);
        }
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            Stop();
        }
        finally
        {
            _process.Dispose();
        }
    }

    private bool Drained => _stdoutClosed.Task.IsCompleted && _stderrClosed.Task.IsCompleted;

    private string Describe() => $"{Name} (pid {Pid})";

    private void Add(string? line, List<string> stream, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }
        lock (_lock)
        {
            if (stream.Count >= _options.MaxLines)
                return;
            stream.Add(line);
            _all.Add(line);
        }
    }

    private string Text(List<string> lines)
    {
        lock (_lock)
            return string.Concat(lines.Select(l => l + "\n"));
    }
}
