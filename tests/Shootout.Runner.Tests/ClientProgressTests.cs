using Shootout.Runner.Run;

namespace Shootout.Runner.Tests;

/// <summary>The ramp's view of the load generator: how many connections it holds, has tried, and is still opening.</summary>
public sealed class ClientProgressTests
{
    [Fact]
    public void Open_and_tried_connections_come_from_the_loadgen_metrics()
    {
        const string metrics =
            "# TYPE shootout_loadgen_connections gauge\n" +
            "shootout_loadgen_connections{target=\"127.10.0.1:7000\"} 996703\n" +
            "# TYPE shootout_loadgen_connect_attempts_total counter\n" +
            "shootout_loadgen_connect_attempts_total{target=\"127.10.0.1:7000\"} 1000500\n" +
            "# TYPE shootout_loadgen_connects_total counter\n" +
            "shootout_loadgen_connects_total{target=\"127.10.0.1:7000\",result=\"established\"} 1000000\n" +
            "shootout_loadgen_connects_total{target=\"127.10.0.1:7000\",result=\"failed\"} 12\n" +
            "shootout_loadgen_connect_seconds_count{target=\"127.10.0.1:7000\"} 999992\n";

        var progress = EngineRun.ClientProgress.Parse(metrics);

        Assert.Equal(996_703, progress.Open);
        Assert.Equal(1_000_012, progress.Tried); // every attempt that ended, whichever way
        Assert.Equal(488, progress.Connecting);
    }

    [Fact]
    public void Still_to_accept_counts_what_the_client_holds_beyond_the_servers_and_what_is_still_connecting()
    {
        var progress = new EngineRun.ClientProgress(Open: 360_000, Tried: 400_000, Started: 460_000);

        Assert.Equal(300_000 + 60_000, progress.StillToAccept(held: 60_000));
        Assert.Equal(60_000, progress.StillToAccept(held: 365_000)); // servers ahead of the client's last tick: only the connecting count
    }

    [Fact]
    public void A_loadgen_that_does_not_answer_has_made_no_progress() =>
        Assert.Equal(default, EngineRun.ClientProgress.Parse(null));
}
