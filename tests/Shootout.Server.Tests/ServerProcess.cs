using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Shootout.Server.Tests;

/// <summary>
/// A real bin/shootout-server on an ephemeral loopback port, as a <see cref="TestProcess"/>: disposing stops it
/// (SIGTERM, then SIGKILL to its process group) so no test leaves a server behind. What it adds is the
/// server's side: its port, its metrics port, SIGTERM timed, and its memory and CPU from /proc.
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly TestProcess _process;

    public string Engine { get; }
    public int Port { get; }
    public int MetricsPort { get; }
    public int Pid => _process.Pid;
    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    private ServerProcess(string engine, TestProcess process, int port, int metricsPort)
    {
        Engine = engine;
        _process = process;
        Port = port;
        MetricsPort = metricsPort;
    }

    public static ServerProcess Start(string engine, params string[] extraArgs) => Start(engine, fileLimit: null, extraArgs);

    /// <summary>
    /// Starts a server; with a file limit, under `ulimit -n` so descriptor exhaustion is cheap to cause.
    /// "uring:-a,-b" starts the uring engine with those ring features off (SHOOTOUT_URING_FEATURES).
    /// </summary>
    public static ServerProcess Start(string engine, int? fileLimit, params string[] extraArgs)
    {
        int metricsPort = Ports.Free();
        string[] nameAndFeatures = engine.Split(':', 2);
        string? ringFeatures = nameAndFeatures.Length == 2 ? nameAndFeatures[1] : null;
        var args = new List<string> { "--engine", nameAndFeatures[0] };
        // Defaults for a test server; an extra argument of the same name replaces its default.
        foreach (var (name, value) in new[] { ("--port", "0"), ("--bind", "127.0.0.1"), ("--metrics-port", metricsPort.ToString()), ("--metrics-bind", "127.0.0.1") })
            if (!extraArgs.Contains(name))
                args.AddRange([name, value]);
        args.AddRange(extraArgs);
        var process = TestProcess.Start(RepoPaths.Built("shootout-server"), args, new ProcessOptions
        {
            Name = $"{engine} server",
            FileLimit = fileLimit,
            Environment = ringFeatures is null ? null : env => env["SHOOTOUT_URING_FEATURES"] = ringFeatures,
        });
        try
        {
            // The server announces its bound port on stdout once listening.
            var match = process.WaitForLine(ListeningRegex(), StartTimeout, stdoutOnly: true);
            return new ServerProcess(engine, process, int.Parse(match.Groups[1].Value), metricsPort);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs the executable to completion (for CLI tests): exit code, stdout and stderr.</summary>
    public static ProcessResult RunToExit(params string[] args) =>
        TestProcess.Run(RepoPaths.Built("shootout-server"), args, TimeSpan.FromSeconds(30));

    public string Stderr => _process.Stderr;

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
        var stat = ProcStat.Read($"/proc/{Pid}/stat");
        return (stat[ProcStat.UserTicks] + stat[ProcStat.SystemTicks]) / 100.0;
    }

    /// <summary>Sends SIGTERM and waits for the exit; returns the exit code and how long it took.</summary>
    public (int ExitCode, TimeSpan Elapsed) Terminate(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        _process.Signal(Signals.SigTerm);
        if (!_process.WaitForExit(timeout))
            throw new TimeoutException($"{Engine} server did not exit within {timeout} of SIGTERM");
        return (_process.ExitCode, watch.Elapsed);
    }

    /// <summary>Stops the server's every thread (SIGSTOP) until <see cref="Resume"/>: the kernel alone answers meanwhile.</summary>
    public void Pause() => _process.Signal(Signals.SigStop);

    public void Resume() => _process.Signal(Signals.SigCont);

    public void Dispose()
    {
        Resume(); // a paused server cannot act on the SIGTERM that stops it
        _process.Dispose();
    }

    [GeneratedRegex(@"listening=\S+:(\d+)")]
    private static partial Regex ListeningRegex();
}
