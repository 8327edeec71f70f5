namespace Shootout.Runner.Tests;

/// <summary>Bad input: one line naming the option, exit 2, and nothing started.</summary>
public sealed class CliTests
{
    [Theory]
    [InlineData("--connections", "lots")]
    [InlineData("--connections", "0")]
    [InlineData("--engines", "threads,fibers")]
    [InlineData("--engines", "epoll,epoll")]
    [InlineData("--echo-rate", "-5")]
    [InlineData("--echo-duration", "soon")]
    [InlineData("--closed-duration", "0s")]
    [InlineData("--ramp-stall", "x")]
    [InlineData("--prometheus-port", "70000")]
    [InlineData("--server", "/nonexistent/shootout-server")]
    [InlineData("--server-cpus", "one")]
    [InlineData("--server-cpus", "3-1")]
    [InlineData("--loadgen-cpus", "9999")]
    public void Bad_option_prints_one_line_naming_it_and_exits_2(string option, string value)
    {
        string results = Directory.CreateTempSubdirectory("runner-test-cli-").FullName;
        var (code, stdout, stderr) = RunnerProcess.Exec(Path.Combine(RunnerProcess.Bin, "shootout-runner"),
            [option, value, "--results-dir", results], TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(option, lines[0]);
        Assert.Equal("", stdout);
        Assert.Empty(Directory.GetFileSystemEntries(results));
    }

    /// <summary>CPU sets that are each fine but not together: the roles would share a CPU, or one would have none.</summary>
    public static TheoryData<string[], string> BadCpuRoles()
    {
        var allowed = Shootout.Common.CpuSet.Allowed();
        string first = allowed.Cpus[0].ToString();
        return new()
        {
            { ["--server-cpus", first, "--loadgen-cpus", first], "overlap" },
            { ["--server-cpus", allowed.ToString()], "leaves no CPU" },
            { ["--shared-cpus", "--loadgen-cpus", first], "--shared-cpus" },
        };
    }

    [Theory]
    [MemberData(nameof(BadCpuRoles))]
    public void Cpu_roles_that_cannot_be_kept_apart_are_one_line_and_exit_2(string[] args, string reason)
    {
        string results = Directory.CreateTempSubdirectory("runner-test-cli-").FullName;
        var (code, stdout, stderr) = RunnerProcess.Exec(Path.Combine(RunnerProcess.Bin, "shootout-runner"),
            [.. args, "--results-dir", results], TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(reason, stderr);
        Assert.Equal("", stdout);
        Assert.Empty(Directory.GetFileSystemEntries(results));
    }

    [Fact]
    public void Unknown_option_exits_2()
    {
        var (code, _, stderr) = RunnerProcess.Exec(Path.Combine(RunnerProcess.Bin, "shootout-runner"), ["--conections", "5"], TimeSpan.FromSeconds(30));
        Assert.Equal(2, code);
        Assert.Contains("--conections", stderr);
    }

    [Fact]
    public void Help_lists_the_options_and_exits_0()
    {
        var (code, stdout, _) = RunnerProcess.Exec(Path.Combine(RunnerProcess.Bin, "shootout-runner"), ["--help"], TimeSpan.FromSeconds(30));
        Assert.Equal(0, code);
        foreach (var option in new[] { "--connections", "--engines", "--echo-rate", "--no-prometheus", "--results-dir" })
            Assert.Contains(option, stdout);
    }
}
