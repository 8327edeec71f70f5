using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// The bare-socket reference's million script at the scale of a test: it holds what it asks for and puts the kernel back.
/// (`make bench` itself is the runner's bench mode: tests/Shootout.Runner.Tests/BenchModeTests.cs.)
/// </summary>
public sealed partial class BenchScriptTests
{
    [Fact]
    public void The_bare_socket_reference_holds_never_used_connections_and_puts_the_sysctls_back()
    {
        Repo.Built("shootout-loadgen");
        string[] sysctls = ["net/core/somaxconn", "net/ipv4/tcp_max_syn_backlog", "net/ipv4/ip_local_port_range"];
        var before = sysctls.Select(k => File.ReadAllText("/proc/sys/" + k)).ToArray();

        var (code, output) = ChildProcess.Run("bash", TimeSpan.FromMinutes(5), null,
            Repo.File("tests/bench/dotnet-socket-million.sh"), "--connections", "2000");

        Assert.True(code == 0, output);
        var m = Held().Match(output);
        Assert.True(m.Success, output);
        // Held is read from the copies' descriptor tables, so it may count one the runtime opened meanwhile.
        Assert.InRange(int.Parse(m.Groups["held"].Value), 2000, 2010);
        Assert.True(long.Parse(m.Groups["bytes"].Value) > 0, output);
        Assert.Equal(before, sysctls.Select(k => File.ReadAllText("/proc/sys/" + k)).ToArray());
    }

    [GeneratedRegex(@"^held (?<held>\d+) of 2000 in [\d.]+ s; RSS growth -?\d+ MiB = (?<bytes>-?\d+) B/conn", RegexOptions.Multiline)]
    private static partial Regex Held();
}
