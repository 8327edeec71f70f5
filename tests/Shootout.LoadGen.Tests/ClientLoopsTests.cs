using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Net;
using Xunit;

namespace Shootout.LoadGen.Tests;

public class ClientLoopsTests
{
    [Fact]
    public void Auto_agents_stay_in_process_for_one_table_and_take_a_handful_for_a_million()
    {
        int perLoop = ClientLoops.PerLoop;
        Assert.Equal(0, Coordinator.AutoAgents(perLoop));
        Assert.Equal(1, Coordinator.AutoAgents(perLoop + 1));
        Assert.Equal((int)Math.Ceiling(1_000_000.0 / ClientLoops.PerProcess), Coordinator.AutoAgents(1_000_000));
        Assert.True(Coordinator.AutoAgents(1_000_000) <= 8, "a million connections need only a few runtimes");
    }

    [Fact]
    public void Loops_cover_the_connections_one_table_each_and_echo_gets_one_per_core()
    {
        var (hold, _) = PlanBuilder.Build(new Settings { Scenario = "hold", Target = "127.0.0.1:7000" }, new Dictionary<string, string?>());
        var (echo, _) = PlanBuilder.Build(new Settings { Scenario = "echo", Target = "127.0.0.1:7000" }, new Dictionary<string, string?>());
        int perLoop = ClientLoops.PerLoop;
        Assert.Equal(1, ClientLoops.LoopsFor(hold, 10));
        Assert.Equal(1, ClientLoops.LoopsFor(hold, perLoop));
        Assert.Equal(3, ClientLoops.LoopsFor(hold, 2 * perLoop + 1));
        Assert.Equal(Math.Min(Environment.ProcessorCount, 50), ClientLoops.LoopsFor(echo, 50));
    }

    [Fact]
    public void A_stalled_echo_past_the_message_timeout_is_counted_as_a_timeout()
    {
        // The server freezes 600 ms of every second; a 150 ms message timeout (a connection deadline) fires.
        using var server = new TestEchoServer(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(600));
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "echo", "--target", $"127.0.0.1:{server.Port}",
            "--connections", "5", "--rate", "200", "--duration", "3s", "--message-timeout", "150ms", "--report-dir", dir);
        Assert.Equal(1, r.ExitCode);
        Assert.True((long)r.Summary["errors"]!["timeout"]! >= 1, r.Summary["errors"]!.ToJsonString());
    }
}
