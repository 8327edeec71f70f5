using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Net;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>The generator runs no more event loops than the CPUs it may use, so its own threads do not take
/// turns on one CPU (a loop waiting for another to be descheduled is late with its sends).</summary>
public class LoopCountTests
{
    [Fact]
    public void Echo_takes_one_loop_per_cpu_the_process_may_use_and_no_more()
    {
        var (echo, _) = PlanBuilder.Build(new Settings { Scenario = "echo", Target = "127.0.0.1:7000" }, new Dictionary<string, string?>());
        foreach (int connections in new[] { 1, 4, 50, 10_000, ClientLoops.PerLoop })
            Assert.InRange(ClientLoops.LoopsFor(echo, connections), 1, Math.Min(Environment.ProcessorCount, connections));
    }

    [Fact]
    [Trait("Category", "WallClock")]
    public void Pinned_to_one_cpu_the_generator_runs_one_loop()
    {
        // Environment.ProcessorCount honours the affinity mask that taskset sets: one CPU, one loop.
        using var server = new TestEchoServer();
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.RunUnder(["taskset", "-c", "0"], dir, TimeSpan.FromSeconds(60), null, "echo",
            "--target", $"127.0.0.1:{server.Port}", "--connections", "8", "--rate", "200", "--duration", "3s", "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var loops = r.Summary["event_loops"]!.AsArray().Select(e => (string)e!["thread"]!).Where(t => t.StartsWith("loop-")).ToArray();
        Assert.Equal(["loop-0"], loops);
    }
}
