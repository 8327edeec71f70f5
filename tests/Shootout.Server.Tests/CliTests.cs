namespace Shootout.Server.Tests;

/// <summary>Bad arguments: one line naming the option, exit code 2, no server started.</summary>
public sealed class CliTests
{
    [Theory]
    [InlineData("--engine", "--engine", "fibers")]
    [InlineData("--engine", "--port", "7000")] // --engine missing
    [InlineData("--port", "--engine", "threads", "--port", "70000")]
    [InlineData("--port", "--engine", "threads", "--port", "seven")]
    [InlineData("--max-connections", "--engine", "async", "--max-connections", "0")]
    [InlineData("--backlog", "--engine", "async", "--backlog", "-5")]
    [InlineData("--bind", "--engine", "threads", "--bind", "not-an-ip")]
    [InlineData("--metrics-port", "--engine", "threads", "--metrics-port", "-1")]
    [InlineData("--idle-timeout", "--engine", "threads", "--idle-timeout", "soon")]
    [InlineData("--thread-stack-kb", "--engine", "threads", "--thread-stack-kb", "1")]
    [InlineData("--frobnicate", "--engine", "threads", "--frobnicate")]
    public void Invalid_arguments_exit_2_with_one_line_naming_the_option(string named, params string[] args)
    {
        var (exitCode, _, stderr) = ServerProcess.RunToExit(args);
        Assert.Equal(2, exitCode);
        Assert.Contains(named, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Help_documents_every_option()
    {
        var (exitCode, stdout, _) = ServerProcess.RunToExit("--help");
        Assert.Equal(0, exitCode);
        foreach (var option in new[] { "--engine", "--port", "--bind", "--reuse-port", "--max-connections", "--backlog", "--metrics-port", "--metrics-bind", "--thread-stack-kb", "--idle-timeout" })
            Assert.Contains(option, stdout);
    }

    [Theory, MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void A_port_already_in_use_is_a_clear_error_not_a_crash(string engine)
    {
        using var first = ServerProcess.Start("threads");
        var (exitCode, _, stderr) = ServerProcess.RunToExit("--engine", engine, "--bind", "127.0.0.1", "--port", first.Port.ToString(), "--metrics-port", "0");
        Assert.Equal(1, exitCode);
        Assert.Contains("cannot listen", stderr);
    }

    [Fact]
    public void Reuse_port_lets_two_servers_share_one_port()
    {
        using var first = ServerProcess.Start("threads", "--reuse-port");
        using var second = ServerProcess.Start("epoll", "--reuse-port", "--port", first.Port.ToString());
        Assert.Equal(first.Port, second.Port);
        for (int i = 0; i < 20; i++)
        {
            using var client = new EchoClient(first.EndPoint);
            Assert.Equal("shared"u8.ToArray(), client.Echo("shared"u8));
        }
        double servedByFirst = MetricsScrape.From(first).Value("shootout_server_connections_accepted_total");
        double servedBySecond = MetricsScrape.From(second).Value("shootout_server_connections_accepted_total");
        Assert.Equal(20, servedByFirst + servedBySecond);
    }
}
