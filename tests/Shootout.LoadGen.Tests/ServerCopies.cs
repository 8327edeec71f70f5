using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Shootout.Tests.Shared;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// Copies of the real bin/shootout-server sharing one loopback port with SO_REUSEPORT: one process holds
/// at most ~19,500 connections under the 20,000 open-file limit, so larger holds need several. Optionally
/// under a launcher that execs the server (chrt, taskset). Every copy is stopped by its PID.
/// </summary>
internal sealed partial class ServerCopies : IDisposable
{
    private readonly List<Process> _copies = new();

    public int Port { get; }

    public ServerCopies(int copies, string engine = "epoll", string[]? launcher = null)
    {
        var exe = Path.Combine(TestProcess.RepoRoot, "bin", "shootout-server");
        Assert.True(File.Exists(exe), "bin/shootout-server is missing: run `make build` first");
        try
        {
            Port = Start(exe, engine, 0, launcher);
            for (int i = 1; i < copies; i++) Start(exe, engine, Port, launcher);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private int Start(string exe, string engine, int port, string[]? launcher)
    {
        string[] args = ["--engine", engine, "--port", port.ToString(), "--bind", "127.0.0.1", "--metrics-port", "0", "--reuse-port"];
        var psi = launcher is null ? new ProcessStartInfo(exe) : new ProcessStartInfo(launcher[0]);
        if (launcher is not null) foreach (var a in launcher[1..].Append(exe)) psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = psi.RedirectStandardError = psi.RedirectStandardInput = true;
        psi.UseShellExecute = false;
        var p = Process.Start(psi)!;
        _copies.Add(p);
        var announced = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        p.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } m) announced.TrySetResult(int.Parse(m.Groups[1].Value));
        };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!announced.Task.Wait(TimeSpan.FromSeconds(60)))
            throw new TimeoutException($"shootout-server did not announce its port (exited: {p.HasExited})");
        int bound = announced.Task.Result;
        using var probe = new TcpClient("127.0.0.1", bound);
        return bound;
    }

    [GeneratedRegex(@"listening=127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    public void Dispose()
    {
        foreach (var p in _copies)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException) { }
            p.Dispose();
        }
        _copies.Clear();
    }
}
