using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// Copies of the real bin/shootout-server sharing one loopback port with SO_REUSEPORT: one process holds
/// at most ~19,500 connections under the 20,000 open-file limit, so larger holds need several. Optionally
/// under a launcher that execs the server (chrt, taskset). Every copy is stopped with this object.
/// </summary>
internal sealed partial class ServerCopies : IDisposable
{
    private readonly List<TestProcess> _copies = new();

    public int Port { get; }

    public ServerCopies(int copies, string engine = "epoll", string[]? launcher = null)
    {
        var exe = RepoPaths.File("bin/shootout-server");
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
        var p = launcher is null
            ? TestProcess.Start(exe, args)
            : TestProcess.Start(launcher[0], [.. launcher[1..], exe, .. args], new ProcessOptions { Name = "shootout-server" });
        _copies.Add(p);
        int bound = int.Parse(p.WaitForLine(Listening(), TimeSpan.FromSeconds(60)).Groups[1].Value);
        using var probe = new TcpClient("127.0.0.1", bound);
        return bound;
    }

    [GeneratedRegex(@"listening=127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();

    public void Dispose()
    {
        foreach (var p in _copies)
            p.Dispose();
        _copies.Clear();
    }
}
