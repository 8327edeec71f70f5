using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// Copies of the real bin/shootout-server sharing one loopback port with SO_REUSEPORT: one process holds
/// at most ~19,500 connections under the 20,000 open-file limit, so larger holds need several. Optionally
/// under a launcher that execs the server (chrt, taskset). Every copy is stopped with this object. The C
/// reference (tests/bench/references/c-epoll-echo.c, SO_REUSEPORT too) the same way: <see cref="CReference"/>.
/// </summary>
internal sealed partial class ServerCopies : IDisposable
{
    /// <summary>The C reference, built once per test run by the project's own script into a temporary directory.</summary>
    private static readonly Lazy<string> CReferencePath = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("c-reference-").FullName;
        string script = Path.Combine(RepoPaths.Root, "tests", "bench", "references", "build.sh");
        var (code, stdout, stderr) = TestProcess.Run("/bin/bash", [script, dir, "c"], TimeSpan.FromMinutes(2));
        string exe = Path.Combine(dir, "c-epoll-echo");
        Assert.True(File.Exists(exe), $"the C reference did not build: build.sh exited {code}; {stdout.Trim()} {stderr.Trim()}");
        return exe;
    });

    private readonly List<TestProcess> _copies = new();

    public int Port { get; }

    public ServerCopies(int copies, string engine = "epoll", string[]? launcher = null)
        : this(copies, RepoPaths.File("bin/shootout-server"), launcher,
            port => ["--engine", engine, "--port", port.ToString(), "--bind", "127.0.0.1", "--metrics-port", "0", "--reuse-port"])
    {
    }

    /// <summary>Copies of the C reference server on one port.</summary>
    public static ServerCopies CReference(int copies) => new(copies, CReferencePath.Value, null, port => ["--port", port.ToString()]);

    private ServerCopies(int copies, string exe, string[]? launcher, Func<int, string[]> arguments)
    {
        Assert.True(File.Exists(exe), $"{exe} is missing: run `make build` first");
        try
        {
            Port = Start(exe, arguments, 0, launcher);
            for (int i = 1; i < copies; i++) Start(exe, arguments, Port, launcher);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private int Start(string exe, Func<int, string[]> arguments, int port, string[]? launcher)
    {
        string[] args = arguments(port);
        var p = launcher is null
            ? TestProcess.Start(exe, args)
            : TestProcess.Start(launcher[0], [.. launcher[1..], exe, .. args], new ProcessOptions { Name = Path.GetFileName(exe) });
        _copies.Add(p);
        int bound = int.Parse(p.WaitForLine(Listening(), TimeSpan.FromSeconds(60)).Groups[1].Value);
        using var probe = new TcpClient("127.0.0.1", bound);
        return bound;
    }

    [GeneratedRegex(@"listening=(?:127\.0\.0\.1|0\.0\.0\.0):(\d+)")]
    private static partial Regex Listening();

    public void Dispose()
    {
        foreach (var p in _copies)
            p.Dispose();
        _copies.Clear();
    }
}
