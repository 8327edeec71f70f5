using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// A process a test started: output kept for diagnostics, stopped by its PID on dispose (SIGTERM,
/// then SIGKILL if it does not go), so no test leaves anything running.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly Lock _lock = new();

    public string Name { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public static ChildProcess Start(string name, string executable, params IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs to completion: exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(string executable, TimeSpan timeout, string? workingDirectory, params IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repo.Root,
        };
        // The compose file's defaults are under test, not whatever scale this shell asked for.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("SHOOTOUT_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {executable}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} {string.Join(' ', args)} did not finish within {timeout}");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public string Output
    {
        get { lock (_lock) return string.Join('\n', _output); }
    }

    /// <summary>Waits until a line of output matches, and returns the match.</summary>
    public Match WaitForLine(Regex pattern, TimeSpan timeout)
    {
        Match? found = null;
        Wait.Until(() =>
        {
            lock (_lock)
                found = _output.Select(l => pattern.Match(l)).FirstOrDefault(m => m.Success);
            if (found is null && HasExited)
                throw new InvalidOperationException($"{Name} exited ({ExitCode}) before printing /{pattern}/:\n{Output}");
            return found is not null;
        }, timeout, $"{Name} to print /{pattern}/");
        return found!;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _ = Kill(_process.Id, SigTerm);
                if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                {
                    _ = Kill(_process.Id, SigKill);
                    _process.WaitForExit(TimeSpan.FromSeconds(10));
                }
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already reaped
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_lock)
            if (_output.Count < 2000)
                _output.Add(line);
    }

    /// <summary>
    /// A TCP port nothing uses now, below the kernel's ephemeral range: ports from there are not
    /// handed out to other processes' outgoing connections (load tests open thousands) before the
    /// process the port is meant for binds it. Below 15000 too: a shootout run (the runner's tests run
    /// alongside) widens the range down to there while it runs.
    /// </summary>
    public static int FreePort()
    {
        int ephemeralLow = 32768;
        try { ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0]); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { }
        int low = ephemeralLow > 12000 ? 10000 : 1024, high = ephemeralLow > 12000 ? Math.Min(ephemeralLow, 15000) : 65535;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(low, high);
            if (Bindable(IPAddress.Any, port) && Bindable(IPAddress.Loopback, port))
                return port;
        }
        throw new InvalidOperationException($"no free port found in {low}-{high}");
    }

    private static bool Bindable(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private const int SigTerm = 15, SigKill = 9;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}

/// <summary>Polls a condition until it holds or a deadline passes: no test depends on timing luck.</summary>
public static class Wait
{
    public static void Until(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}");
            Thread.Sleep(poll ?? TimeSpan.FromMilliseconds(50));
        }
    }
}
