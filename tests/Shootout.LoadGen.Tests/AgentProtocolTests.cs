using System.Text.Json.Nodes;
using HdrHistogram;
using Shootout.LoadGen.Agents;
using Shootout.LoadGen.Engine;
using Shootout.LoadGen.Stats;
using Xunit;

namespace Shootout.LoadGen.Tests;

public class AgentProtocolTests
{
    [Fact]
    public void A_tick_line_keeps_its_field_names_and_comes_back_whole()
    {
        var latency = Histograms.Create();
        for (int i = 1; i < 500; i++) latency.RecordValue(i * 7);
        var connect = Histograms.Create();
        connect.RecordValue(1234);
        var tick = new Tick
        {
            Seq = 7, Elapsed = 7.125, Alive = 99, Attempts = 3, Established = 2, ConnectFailed = 1, Ok = 1000, Failed = 4,
            BytesSent = 64000, BytesReceived = 63999, ClosedByServer = 1, LiveProgress = new() { [3] = 4096 }, Errors = new() { ["reset"] = 2 }, Latency = latency, Connect = connect,
            SendLag = Histograms.Create(), FirstByte = Histograms.Create(), LoopCpu = [0.5, 0.25], PacerCpu = 0.125, PhaseOk = [10, 20],
            Final = true, MeasuredSeconds = 6.5, FirstConnectSeconds = 0.01, LastConnectSeconds = 1.5, StopReason = StopReasons.AllLost,
        };

        string line = AgentProtocol.EncodeTick(tick);

        // Agents and their coordinator read each other by these names: a rename is a protocol change.
        Assert.Equal(
            ["scenario", "seq", "elapsed", "alive", "attempts", "established", "connect_failed", "ok", "failed", "bytes_sent", "bytes_received",
             "closed_by_server", "errors", "latency", "connect", "send_lag", "first_byte", "loop_cpu", "loop_wait", "pacer_cpu", "pacer_wait", "final",
             "measured_seconds", "first_connect_seconds", "last_connect_seconds", "stop_reason", "phase_ok", "phase_due",
             "connection_progress", "live_progress", "samples_written", "samples_dropped"],
            JsonNode.Parse(line)!.AsObject().Select(p => p.Key));
        Assert.Equal(Histograms.Encode(latency), (string?)JsonNode.Parse(line)!["latency"]);
        Assert.DoesNotContain('\n', line);

        var back = AgentProtocol.DecodeTick(line);
        Assert.Equal((7, 7.125, 99L, 3L, 2L, 1L, 1000L, 4L, 64000L, 63999L), (back.Seq, back.Elapsed, back.Alive, back.Attempts,
            back.Established, back.ConnectFailed, back.Ok, back.Failed, back.BytesSent, back.BytesReceived));
        Assert.Equal(2, back.Errors["reset"]);
        Assert.Equal((1L, 4096L), (back.ClosedByServer, back.LiveProgress![3]));
        Assert.Equal((499L, latency.GetMaxValue()), (back.Latency.TotalCount, back.Latency.GetMaxValue()));
        Assert.Equal(1, back.Connect.TotalCount);
        Assert.Equal((true, 6.5, 0.01, 1.5, StopReasons.AllLost), (back.Final, back.MeasuredSeconds, back.FirstConnectSeconds,
            back.LastConnectSeconds, back.StopReason));
        Assert.Equal([0.5, 0.25], back.LoopCpu);
        Assert.Equal(0.125, back.PacerCpu);
        Assert.Equal([10L, 20L], back.PhaseOk);
        Assert.Equal(line, AgentProtocol.EncodeTick(back));
    }

    [Fact]
    public void A_tick_without_connects_says_so_on_the_wire()
    {
        var empty = new Tick
        {
            Latency = Histograms.Create(), Connect = Histograms.Create(), SendLag = Histograms.Create(), FirstByte = Histograms.Create(),
        };
        var back = AgentProtocol.DecodeTick(AgentProtocol.EncodeTick(empty));
        Assert.Equal((-1.0, -1.0), (back.FirstConnectSeconds, back.LastConnectSeconds));
        Assert.Null(back.StopReason);
    }
}
