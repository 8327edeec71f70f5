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
