using System.Text.RegularExpressions;

namespace Shootout.Runner.Tests;

/// <summary>
/// A tiny run of contenders only (--engines none --references none): socat, a server that is not ours and forks a
/// process per connection (and `cat` under each), measured as the engines are; socat running `rev`, which answers
/// whole lines only, so never echoes; a command that exits at once, so never listens. Real processes throughout.
/// </summary>
public sealed class ContenderRunFixture
{
    public static string Socat => new[] { "/usr/bin/socat", "/bin/socat" }.FirstOrDefault(File.Exists)
        ?? throw new FileNotFoundException("socat is not installed (Debian package 'socat'; tools/prereqs.sh test installs it)");

    internal RunnerProcess.Result Run { get; } = RunnerProcess.Run(TimeSpan.FromMinutes(3),
    [
        .. RunnerProcess.Tiny, "--no-prometheus", "--engines", "none",
        "--contender", $"socat={Socat} TCP-LISTEN:{{port}},reuseaddr,fork,backlog=4096 EXEC:cat",
        "--contender", $"rev={Socat} TCP-LISTEN:{{port}},reuseaddr,fork EXEC:rev",
        "--contender", "gone=sh -c 'echo no port for me {port}; exit 3'",
    ]);
}

public sealed partial class ContenderTests(ContenderRunFixture fixture) : IClassFixture<ContenderRunFixture>
{
    private readonly RunnerProcess.Result _run = fixture.Run;

    [Fact]
    public void Socat_gets_a_full_row_with_every_connection_held_and_its_memory_counted_over_its_process_tree()
    {
        Assert.True(_run.ExitCode == 1, _run.ToString()); // two contenders fail, on purpose
        var socat = _run.Summary["contenders"]!["socat"]!;
        Assert.True(socat["status"]!.GetValue<string>() == "ok", $"{socat["error"]}\n{_run}");
        Assert.Equal(300, socat["connections_held"]!.GetValue<long>());
        // A socat and a cat per connection: every one of their threads is counted, and their memory with them.
        Assert.True(socat["threads"]!.GetValue<int>() >= 600, $"threads {socat["threads"]}");
        Assert.True(socat["user_bytes_per_connection"]!.GetValue<double>() > 20_000, $"user B/conn {socat["user_bytes_per_connection"]}");
        Assert.True(socat["echo"]!["rate_achieved"]!.GetValue<double>() > 0);
        Assert.True(socat["max_msgs_per_s"]!.GetValue<double>() > 0);
        Assert.True(socat["stopped_cleanly"]!.GetValue<bool>());
        Assert.Empty(_run.Summary["engines"]!.AsObject());
        Assert.Contains("socat (contender)", File.ReadAllText(Path.Combine(_run.RunDir, "report.md")));
        Assert.Contains("data-contender=\"socat\"", File.ReadAllText(Path.Combine(_run.RunDir, "report.html")));
    }

    [Fact]
    public void A_contender_that_does_not_echo_or_never_listens_fails_with_the_reason_and_the_run_goes_on()
    {
        var contenders = _run.Summary["contenders"]!;
        Assert.Equal("failed", contenders["rev"]!["status"]!.GetValue<string>());
        Assert.Contains("does not echo: sent 32 bytes (no newline), nothing came back within 5 s", contenders["rev"]!["error"]!.GetValue<string>());
        Assert.Contains("contender rev failed: does not echo", _run.Stderr);
        var gone = contenders["gone"]!["error"]!.GetValue<string>();
        Assert.Matches(@"^never listened on port \d+: `sh -c 'echo no port for me \d+; exit 3'` exited with code 3: no port for me \d+", gone);
        // The order of the rows is the order given: the failures did not stop the run.
        Assert.Equal(["socat", "rev", "gone"], contenders.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public void Nothing_a_contender_started_outlives_the_run()
    {
        // Each copy's log opens with its command line, the port substituted.
        var listens = Directory.EnumerateFiles(_run.RunDir, "server-*.log", SearchOption.AllDirectories)
            .Select(log => ListenArgument().Match(File.ReadLines(log).First()).Value).Where(v => v.Length > 0).ToList();
        Assert.Equal(2, listens.Count);
        foreach (var listen in listens)
        {
            var left = Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
                .Where(d => ReadCmdline(d).Contains(listen, StringComparison.Ordinal)).ToList();
            Assert.True(left.Count == 0, $"{listen}: still running: {string.Join(", ", left)}");
        }
    }

    [Fact]
    public void A_contender_that_is_not_name_command_is_a_usage_error()
    {
        var (code, _, stderr) = RunnerProcess.Exec(Path.Combine(RunnerProcess.Bin, "shootout-runner"), ["--contender", "socat"], TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.StartsWith("shootout-runner: --contender: 'socat' is not NAME='COMMAND'", stderr);
        string file = Path.GetTempFileName();
        File.WriteAllText(file, "# mine\nmine=./server --port {port}\n\nepoll=./other {port}\n");
        (code, _, stderr) = RunnerProcess.Exec(Path.Combine(RunnerProcess.Bin, "shootout-runner"), ["--contenders-file", file], TimeSpan.FromSeconds(30));
        File.Delete(file);
        Assert.Equal(2, code);
        Assert.Contains($"--contenders-file {file}:4: the name 'epoll' is taken", stderr);
    }

    private static string ReadCmdline(string procDir)
    {
        try { return File.ReadAllText(Path.Combine(procDir, "cmdline")).Replace('\0', ' '); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    [GeneratedRegex(@"TCP-LISTEN:\d+,")]
    private static partial Regex ListenArgument();
}
