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
    public (TestProcess Process, int Port) Start(string name, int port = 0)
    {
        string path = PathOf(name);
        Assert.True(File.Exists(path), $"{name} was not built: {BuildOutput}");
        var p = TestProcess.Start(path, ["--port", port.ToString()], new ProcessOptions { Name = name });
        try
        {
            // Its first line says what it is and where it listens.
            string line = p.WaitForLine(new Regex("^.*$"), TimeSpan.FromSeconds(20), stdoutOnly: true).Value;
            var m = Listening().Match(line);
            Assert.True(m.Success, $"{name} announced: {line}");
            Assert.StartsWith($"echo-reference engine={name} ", line);
            return (p, int.Parse(m.Groups[1].Value));
        }
        catch
        {
            p.Dispose();
            throw;
        }
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);

    [GeneratedRegex(@"listening=\S*:(\d+)\s")]
    private static partial Regex Listening();
}
