using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// The open model's latency counts from each message's scheduled send time, so a server that freezes is
/// charged for every message that waited behind the freeze, not only the few on the wire when it began
/// (coordinated omission). The scheduled sends now live on the loops' own timers (Engine/LoopSender):
/// this holds whatever keeps the schedule.
/// </summary>
public class CoordinatedOmissionTests
{
    [Fact]
    [Trait("Category", "WallClock")]
    public void A_server_that_freezes_half_a_second_every_two_shows_it_at_p99_while_p50_stays_low()
    {
        // 500 ms of every 2 s frozen: a quarter of the scheduled sends fall in a freeze and wait up to
        // 500 ms, so p99 is near 500 ms; timed from the actual send, they would wait ~0 (sent after the thaw).
        // 50 connections at 20 msg/s each: what queued behind a freeze drains within milliseconds after it.
        using var server = new FreezingEchoServer(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(500));
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromSeconds(60), null, "echo", "--target", $"127.0.0.1:{server.Port}",
            "--connections", "50", "--rate", "1000", "--duration", "4s", "--report-dir", dir);

        Assert.True(r.ExitCode == 0, r.Stderr);
        var latency = r.Summary["latency_us"]!;
        Assert.True((double)latency["p99"]! >= 350_000, $"p99 {latency["p99"]} µs: the freezes must show");
        Assert.True((double)latency["p50"]! < 20_000, $"p50 {latency["p50"]} µs: three quarters of the messages are not frozen");
        Assert.Equal(0, (long)r.Summary["messages"]!["failed"]!);
    }
}
