using System.Globalization;
using Shootout.Runner.Run;
using Shootout.Runner.Statistics;

namespace Shootout.Runner.Bench;

/// <summary>The bench's text: a line per row as it is measured, the ratios with their intervals, and what the columns mean.</summary>
internal static class BenchTable
{
    private const string RowFormat = "{0,-14} {1,8} {2,11} {3,12} {4,11} {5,11} {6,7} {7,11} {8,7} {9,7} {10,9} {11,9} {12,8}";

    public static string Header => Format(RowFormat, "row", "held", "accepts/s", "accepts/cpu_s", "idle_B/conn", "used_B/conn", "threads", "echo_msgs/s",
        "user_s", "sys_s", "usr_us/msg", "sys_us/msg", "sysc/msg");

    public static string Row(RowResult r)
    {
        if (!r.Ok) return $"{r.Row.Name,-14} failed: {r.Error}";
        var cost = r.EchoCost;
        return Format(RowFormat, r.Row.Name, r.Connections, Whole(r.AcceptsPerSecond), Whole(r.AcceptsPerCpuSecond), Whole(r.IdleBytesPerConnection),
            Whole(r.UsedBytesPerConnection), Whole(r.Threads), (r.EchoClientBound ? "≥" : "") + Whole(r.EchoMessagesPerSecond),
            Fixed(r.CpuUserSeconds, 2), Fixed(r.CpuSystemSeconds, 2), Fixed(cost?.UserMicros, 2), Fixed(cost?.SystemMicros, 2), Fixed(cost?.Syscalls, 2));
    }

    public static IEnumerable<string> Legend(BenchSettings s) =>
    [
        $"(B/conn = (RSS with {s.Connections} connections - RSS after a {BenchSettings.WarmupConnections}-connection warm-up) / {s.Connections}, " +
        "each in a fresh server process:",
        $" idle = the connections never sent a byte; used = each echoed one byte, then idled. echo: {s.EchoConnections} connections x " +
        $"{s.MessageSize} B closed loop for {s.Seconds}s;",
        $" accepts/s: the median of {s.AcceptBursts} bursts of {s.Connections} connects, each until every connection echoed a byte (wall time);",
        " accepts/cpu_s: the same connections per second of the server's own CPU over those bursts (what it ran, not what it waited for);",
        " user_s/sys_s: the server's CPU over the used phase, accepts and echo; us/msg: its CPU per echoed message over the echo, net of an idle",
        " second before it (/proc ticks: 10 ms over the echo's messages); sysc/msg: syscalls per message, 100 connections x 64 B for 2 s under perf;",
        $" ≥: the C client used ≥ {GeneratorCpu.Saturated:0%} of its CPUs over the echo, so the rate is its limit, a lower bound for the server)",
    ];

    public const string RatioHeader = "ratio (a/b, per round, then over rounds)        ratio  95% interval        rounds  reading";

    public static string Ratio(BenchRatio ratio)
    {
        var i = ratio.Interval;
        string interval = i.HasInterval ? Format("[{0:0.000}, {1:0.000}]", i.Low!.Value, i.High!.Value) : "-";
        string bound = ratio.ClientBoundRounds > 0 ? $" ({ratio.ClientBoundRounds} of {i.Rounds} rounds client-bound)" : "";
        return Format("{0,-46} {1,6:0.000}  {2,-18}  {3,6}  {4}{5}", ratio.Label, i.Ratio, interval, i.Rounds, Reading(i), bound);
    }

    /// <summary>What the interval lets a reader say: a difference, none, or how many rounds would settle it.</summary>
    public static string Reading(RatioInterval i)
    {
        if (!i.HasInterval) return "1 round: no interval (--rounds 2 or more)";
        string width = Format("±{0:0.0}%", i.HalfWidth!.Value * 100);
        string verdict = i.SpansOne ? "no difference" : i.Ratio > 1 ? "a higher" : "a lower";
        string target = Format("±{0:0}%", RatioInterval.TargetHalfWidth * 100);
        return i.RoundsFor() is { } needed
            ? $"{verdict}, {width}: wider than {target}; about {needed} rounds would make it {target}"
            : $"{verdict}, {width}";
    }

    private static string Whole(double? value) => value is { } v ? v.ToString("0", CultureInfo.InvariantCulture) : "-";

    private static string Fixed(double? value, int decimals) => value is { } v ? v.ToString("F" + decimals, CultureInfo.InvariantCulture) : "-";

    private static string Format(string format, params object?[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
