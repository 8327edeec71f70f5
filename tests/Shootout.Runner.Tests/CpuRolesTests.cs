using System.Text.RegularExpressions;
using Shootout.Common;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Tests;

/// <summary>
/// The server processes and the load generator on disjoint CPUs, read from /proc of the real processes while a tiny
/// run goes on; and each echo phase's cost per message and the generator's CPU use on the run's console.
/// </summary>
public sealed partial class CpuRolesTests
{
    [Fact]
    public void Server_and_load_generator_run_on_disjoint_cpus_and_each_phase_has_its_cost_per_message()
    {
        string results = Directory.CreateTempSubdirectory("runner-test-cpus-").FullName;
        using var runner = TestProcess.Start(Path.Combine(RunnerProcess.Bin, "shootout-runner"),
            [.. RunnerProcess.Tiny, "--engines", "epoll", "--no-neighbours", "--no-prometheus", "--results-dir", results],
            new ProcessOptions { Name = "runner", StopGrace = TimeSpan.FromSeconds(30) });
        var allowed = CpuSet.Allowed();
        if (allowed.Count < 2)
        {
            // Nothing to split: the run says the roles share the one CPU.
            runner.WaitForLine(new Regex("cpus: server processes and load generator share"), TimeSpan.FromMinutes(1));
            return;
        }
        var said = runner.WaitForLine(CpusLine(), TimeSpan.FromMinutes(1));
        var server = CpuSet.Parse(said.Groups["server"].Value);
        var loadGen = CpuSet.Parse(said.Groups["loadgen"].Value);
        Assert.False(server.Overlaps(loadGen), said.Value);

        int serverPid = int.Parse(runner.WaitForLine(ServerPids(), TimeSpan.FromMinutes(1)).Groups["pid"].Value);
        (int Pid, CpuSet Cpus)? generator = null;
        Wait.Until(() => (generator = LoadGen(runner.Pid)) is not null, TimeSpan.FromMinutes(1), "a load generator started by the runner");
        var serverCpus = CpuSet.OfProcess(serverPid);
        Assert.Equal(server, serverCpus);
        Assert.Equal(loadGen, generator!.Value.Cpus);
        // The generator runs without tiered compilation (no recompiling on its CPU while it measures); the server as its
        // build says, untouched by the runner's environment.
        if (Environ(generator.Value.Pid) is { } environment) Assert.Contains("DOTNET_TieredCompilation=0", environment);
        Assert.DoesNotContain("DOTNET_TieredCompilation", Environ(serverPid) ?? []);
        // Every thread of the server, not only its first: taskset set it before the runtime started any.
        foreach (string task in Directory.EnumerateDirectories($"/proc/{serverPid}/task"))
            if (Allowed(Path.Combine(task, "status")) is { } threadCpus)
                Assert.Equal(server, threadCpus);

        Assert.True(runner.WaitForExit(TimeSpan.FromMinutes(3)), runner.Tail(40));
        Assert.True(runner.ExitCode == 0, runner.Tail(40));
        string output = runner.Stdout;
        foreach (string phase in new[] { "at 500 msg/s", "at the closed-loop maximum" })
        {
            var cost = new Regex($@"epoll: cost per message {phase} \((?<messages>[\d,]+) messages, [\d,]+/s\): (?<cpu>[\d.,]+) µs CPU " +
                                 @"\(user (?<user>[\d.,]+), system (?<system>[\d.,]+)\), (?<syscalls>[\d.]+|\?) syscalls, " +
                                 @"(?<voluntary>[\d.]+) voluntary \+ (?<involuntary>[\d.]+) involuntary context switches.*").Match(output);
            Assert.True(cost.Success, $"no cost line {phase}:\n{output}");
            Assert.True(double.Parse(cost.Groups["messages"].Value.Replace(",", "")) > 0, cost.Value);
            // Echoing takes at least one read and one write, and the CPU of the server.
            Assert.True(double.Parse(cost.Groups["cpu"].Value.Replace(",", "")) > 0, cost.Value);
            // Syscalls are counted by perf; where it cannot count, the line says why instead.
            if (cost.Groups["syscalls"].Value == "?")
                Assert.Contains("syscalls not counted: ", cost.Value);
            else
                Assert.True(double.Parse(cost.Groups["syscalls"].Value) >= 1, cost.Value);
        }
        // The generator was told the server's CPUs, and they are not its own: whatever else loads the machine, it does not
        // blame sharing cores with the server.
        Assert.DoesNotContain("same_machine", output);
        Assert.Matches(new Regex(@"epoll: echo .* load generator \d+% of CPUs? " + Regex.Escape(loadGen.ToString())), output);
        Assert.Matches(new Regex(@"epoll: closed loop (≥ )?[\d,]+ msg/s.* load generator \d+% of CPUs? " + Regex.Escape(loadGen.ToString())), output);
    }

    /// <summary>A load generator the runner started, with its CPUs, or null while there is none.</summary>
    private static (int Pid, CpuSet Cpus)? LoadGen(int runner)
    {
        foreach (int pid in ProcessTree.Descendants(runner))
        {
            try
            {
                if (File.ReadAllText($"/proc/{pid}/cmdline").Contains("shootout-loadgen", StringComparison.Ordinal)
                    && Allowed($"/proc/{pid}/status") is { } cpus)
                    return (pid, cpus);
            }
            catch (IOException)
            {
            }
        }
        return null;
    }

    /// <summary>A process's environment (VAR=value each), or null once it has exited.</summary>
    private static string[]? Environ(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static CpuSet? Allowed(string statusPath)
    {
        try
        {
            var line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal));
            return line is null ? null : CpuSet.Parse(line["Cpus_allowed_list:".Length..].Trim());
        }
        catch (IOException)
        {
            return null; // the thread or process exited meanwhile
        }
    }

    [GeneratedRegex(@"cpus: server processes on (?<server>[\d,-]+), load generator on (?<loadgen>[\d,-]+)")]
    private static partial Regex CpusLine();

    [GeneratedRegex(@"epoll: 1 server process\(es\) on port \d+ \(pids (?<pid>\d+)\)")]
    private static partial Regex ServerPids();
}
