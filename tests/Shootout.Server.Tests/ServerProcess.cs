using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Shootout.Server.Tests;

/// <summary>
/// A real bin/shootout-server process on an ephemeral port. Disposing stops it by PID (SIGTERM,
/// then SIGKILL if it does not go) so no test leaves a server behind.
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private readonly Lock _lock = new();

    public string Engine { get; }
    public int Port { get; }
    public int MetricsPort { get; }
    public int Pid => _process.Id;
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    private ServerProcess(string engine, Process process, int port, int metricsPort)
    {
        Engine = engine;
        _process = process;
        Port = port;
        MetricsPort = metricsPort;
    }

    public static ServerProcess Start(string engine, params string[] extraArgs) => Start(engine, fileLimit: null, extraArgs);

    /// <summary>Starts a server; with a file limit, under `ulimit -n` so descriptor exhaustion is cheap to cause.</summary>
    public static ServerProcess Start(string engine, int? fileLimit, params string[] extraArgs)
    {
        int metricsPort = FreePort();
        var args = new List<string> { "--engine", engine };
        // Defaults for a test server; an extra argument of the same name replaces its default.
        foreach (var (name, value) in new[] { ("--port", "0"), ("--bind", "127.0.0.1"), ("--metrics-port", metricsPort.ToString()), ("--metrics-bind", "127.0.0.1") })
            if (!extraArgs.Contains(name))
                args.AddRange([name, value]);
        args.AddRange(extraArgs);
        var process = Launch(args, fileLimit);
        var stderr = new List<string>();
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.Add(e.Data); };
        process.BeginErrorReadLine();

        // The server announces its bound port on stdout once listening.
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(StartTimeout).GetAwaiter().GetResult();
        var match = line is null ? null : ListeningRegex().Match(line);
        if (match is null || !match.Success)
        {
            Kill(process);
            throw new InvalidOperationException($"server did not start: '{line}'; stderr: {string.Join('\n', stderr)}");
        }
        var server = new ServerProcess(engine, process, int.Parse(match.Groups[1].Value), metricsPort);
        lock (stderr) server._stderr.AddRange(stderr);
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (server._lock) server._stderr.Add(e.Data); };
        return server;
    }

    /// <summary>Runs the executable to completion (for CLI tests): exit code and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunToExit(params string[] args)
    {
        using var process = Launch(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            Kill(process);
            throw new TimeoutException($"shootout-server {string.Join(' ', args)} did not exit");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public string Stderr
    {
        get { lock (_lock) return string.Join('\n', _stderr); }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Resident memory now, from /proc (independent of the server's own metrics).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        throw new InvalidOperationException("no VmRSS");
    }

    /// <summary>User + system CPU seconds the server has used, from /proc/PID/stat.</summary>
    public double CpuSeconds()
    {
        string stat = File.ReadAllText($"/proc/{Pid}/stat");
        string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(f[11]) + long.Parse(f[12])) / 100.0;
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code and how long it took.</summary>
    public (int ExitCode, TimeSpan Elapsed) Terminate(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        Posix.Kill(_process.Id, Posix.SigTerm);
        if (!_process.WaitForExit(timeout))
            throw new TimeoutException($"{Engine} server did not exit within {timeout} of SIGTERM");
        _process.WaitForExit(); // drain the output readers
        return (_process.ExitCode, watch.Elapsed);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Posix.Kill(_process.Id, Posix.SigTerm);
            if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
                Kill(_process);
        }
        _process.Dispose();
    }

    private static Process Launch(IEnumerable<string> args, int? fileLimit = null)
    {
        // With a file limit the shell lowers it, then execs the server: same PID, so stopping by PID works.
        var info = new ProcessStartInfo(fileLimit is null ? RepoPaths.ServerExecutable : "/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (fileLimit is { } limit)
        {
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add($"ulimit -n {limit} && exec \"$0\" \"$@\"");
            info.ArgumentList.Add(RepoPaths.ServerExecutable);
        }
        foreach (var a in args)
            info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException("could not start shootout-server");
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }

    [GeneratedRegex(@"listening=\S+:(\d+)")]
    private static partial Regex ListeningRegex();
}

internal static partial class Posix
{
    public const int SigTerm = 15;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}

/// <summary>Finds the repository root (where Shootout.sln is) and the published executables.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ServerExecutable
    {
        get
        {
            string path = Path.Combine(Root, "bin", "shootout-server");
            return File.Exists(path) ? path : throw new FileNotFoundException($"{path} not found: run `make build` first (make test does)");
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Shootout.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Shootout.sln not found above " + AppContext.BaseDirectory);
    }
}
