using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Shootout.Runner.Tests;

/// <summary>
/// The reference servers (tests/bench/references), built once for the test run by the project's own
/// script into a temporary directory. `make test` installs their toolchains first (tools/prereqs.sh bench).
/// </summary>
public sealed partial class ReferenceServers : IDisposable
{
    public static readonly string[] Names = ["c", "go", "rust"];
    public string Dir { get; } = Directory.CreateTempSubdirectory("reference-servers-").FullName;
    public string BuildOutput { get; }

    public ReferenceServers()
    {
        string script = Path.Combine(RepoPaths.Root, "tests", "bench", "references", "build.sh");
        var (code, stdout, stderr) = TestProcess.Run("/bin/bash", [script, Dir, string.Join(',', Names)], TimeSpan.FromMinutes(5));
        BuildOutput = $"build.sh exited {code}; built: {stdout.Trim()}; {stderr.Trim()}";
    }

    public string PathOf(string name) => Path.Combine(Dir, name switch { "c" => "c-epoll-echo", "go" => "go-echo", _ => "rust-echo" });

    /// <summary>Starts one copy on <paramref name="port"/> (0: any) and waits for its announcement; returns it and the port it listens on.</summary>
    public (Process Process, int Port) Start(string name, int port = 0)
    {
        string path = PathOf(name);
        Assert.True(File.Exists(path), $"{name} was not built: {BuildOutput}");
        var psi = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--port");
        psi.ArgumentList.Add(port.ToString());
        var p = Process.Start(psi)!;
        var line = p.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result is null)
        {
            p.Kill();
            throw new Xunit.Sdk.XunitException($"{name} did not announce itself: {p.StandardError.ReadToEnd()}");
        }
        var m = Listening().Match(line.Result);
        Assert.True(m.Success, $"{name} announced: {line.Result}");
        Assert.StartsWith($"echo-reference engine={name} ", line.Result);
        return (p, int.Parse(m.Groups[1].Value));
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    [GeneratedRegex(@"listening=\S*:(\d+)\s")]
    private static partial Regex Listening();
}
