using System.Text.RegularExpressions;

namespace Shootout.TestSupport.Tests;

/// <summary>What every suite relies on when it starts a real process.</summary>
public sealed partial class TestProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void Dispose_stops_the_process_and_what_it_started()
    {
        int child;
        int parent;
        using (var shell = TestProcess.Start("/bin/sh", ["-c", "sleep 600 & echo child=$!; wait"]))
        {
            child = int.Parse(shell.WaitForLine(ChildLine(), Timeout).Groups[1].Value);
            parent = shell.Pid;
            Assert.True(IsAlive(child));
        }
        Wait.Until(() => !IsAlive(child), Timeout, $"the shell's child {child} to be stopped with it");
        Assert.False(IsAlive(parent));
    }

    [Fact]
    public void A_process_that_ignores_the_stop_signal_is_killed_after_the_grace_period()
    {
        var options = new ProcessOptions { StopGrace = TimeSpan.FromMilliseconds(500) };
        int pid;
        using (var stubborn = TestProcess.Start("/bin/sh", ["-c", "trap '' TERM; echo ready; while :; do sleep 1; done"], options))
        {
            stubborn.WaitForLine(new Regex("^ready$"), Timeout);
            pid = stubborn.Pid;
        }
        Assert.False(IsAlive(pid));
    }

    [Fact]
    public void A_run_past_its_time_limit_is_stopped_and_the_error_shows_its_output()
    {
        int pid = 0;
        var e = Assert.Throws<TimeoutException>(() =>
            TestProcess.Run("/bin/sh", ["-c", "echo started; exec sleep 600"], TimeSpan.FromSeconds(1), p => pid = p.Pid));
        Assert.Contains("did not finish within", e.Message);
        Assert.Contains("started", e.Message);
        Assert.False(IsAlive(pid));
    }

    [Fact]
    public void Run_returns_the_exit_code_and_both_streams()
    {
        var (code, stdout, stderr) = TestProcess.Run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"], Timeout);
        Assert.Equal(3, code);
        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);
    }

    [Fact]
    public void Waiting_for_a_line_fails_at_once_when_the_process_exits_without_it()
    {
        using var quitter = TestProcess.Start("/bin/sh", ["-c", "echo something else; exit 4"]);
        var e = Assert.Throws<InvalidOperationException>(() => quitter.WaitForLine(new Regex("listening="), TimeSpan.FromMinutes(5)));
        Assert.Contains("exited (4) before printing /listening=/", e.Message);
        Assert.Contains("something else", e.Message);
    }

    [Fact]
    public void Options_set_the_file_limit_the_environment_and_the_working_directory()
    {
        string dir = Directory.CreateTempSubdirectory("test-support-").FullName;
        try
        {
            var options = new ProcessOptions
            {
                FileLimit = 256,
                WorkingDirectory = dir,
                Environment = env => { env["TEST_SUPPORT_PROBE"] = "set"; env.Remove("HOME"); },
            };
            var (code, stdout, _) = TestProcess.Run("/bin/sh", ["-c", "ulimit -n; echo \"$TEST_SUPPORT_PROBE ${HOME:-unset}\"; pwd"], Timeout, options: options);
            Assert.Equal(0, code);
            Assert.Equal($"256\nset unset\n{dir}\n", stdout);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie has exited already; only its parent has not collected it yet.
            return !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^child=(\d+)$")]
    private static partial Regex ChildLine();
}
