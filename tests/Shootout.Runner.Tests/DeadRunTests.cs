using System.Text.RegularExpressions;

namespace Shootout.Runner.Tests;

/// <summary>A runner killed outright (SIGKILL: no chance to stop anything) leaves its servers running; the next run stops them and names the run that died.</summary>
public sealed partial class DeadRunTests
{
    [Fact]
    public void The_next_run_stops_what_a_killed_runner_left_and_names_it()
    {
        // A registry of this test's own: runs of other tests (alive) and of other people are not this test's business.
        string registry = Directory.CreateTempSubdirectory("runner-test-registry-").FullName;
        var options = new ProcessOptions
        {
            Name = "runner",
            StopGrace = TimeSpan.FromSeconds(30),
            Environment = env => env["SHOOTOUT_RUNNER_REGISTRY"] = registry,
        };
        string[] run = [.. RunnerProcess.Tiny, "--engines", "epoll", "--no-neighbours", "--no-prometheus"];
        string runner = Path.Combine(RunnerProcess.Bin, "shootout-runner");

        using var dying = TestProcess.Start(runner, [.. run, "--results-dir", Directory.CreateTempSubdirectory("runner-test-dead-").FullName],
            options with { Name = "dying runner" });
        string deadDir = dying.WaitForLine(ResultsIn(), TimeSpan.FromMinutes(1)).Groups["dir"].Value;
        var servers = dying.WaitForLine(ServerPids(), TimeSpan.FromMinutes(1)).Groups["pids"].Value.Split(',').Select(int.Parse).ToList();
        Assert.True(dying.Signal(Signals.SigKill));
        Assert.True(dying.WaitForExit(TimeSpan.FromSeconds(20)));
        // What the runner would have stopped is still there: its servers outlive it.
        Assert.All(servers, pid => Assert.True(Running(pid), $"server {pid} went with its runner"));

        using var next = TestProcess.Start(runner, [.. run, "--results-dir", Directory.CreateTempSubdirectory("runner-test-next-").FullName], options);
        var named = next.WaitForLine(new Regex("a previous run died without stopping what it started: .*"), TimeSpan.FromMinutes(1));
        Assert.Contains(deadDir, named.Value);
        Assert.Contains("started ", named.Value);
        Wait.Until(() => !servers.Any(Running), TimeSpan.FromSeconds(20), $"the dead run's servers ({string.Join(',', servers)}) to be stopped");
        Assert.DoesNotContain(Directory.EnumerateFiles(registry), f => f.EndsWith($"run-{dying.Pid}.pids", StringComparison.Ordinal));
    }

    /// <summary>Alive and not a zombie waiting for a parent that will never reap it.</summary>
    private static bool Running(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"results in (?<dir>\S+)$")]
    private static partial Regex ResultsIn();

    [GeneratedRegex(@"epoll: 1 server process\(es\) on port \d+ \(pids (?<pids>[\d,]+)\)")]
    private static partial Regex ServerPids();
}
