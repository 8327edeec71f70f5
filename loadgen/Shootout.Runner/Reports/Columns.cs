using System.Globalization;
using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>One column of a comparison table: how to read it from a result and which way is better.</summary>
/// <remarks><see cref="LowerBound"/>: the figure is only a lower bound for that row (the generator, not the server, set it): "≥ 127,631".</remarks>
internal sealed record Column(string Header, Func<EngineResult, double?> Value, bool HigherIsBetter, string Format)
{
    public Func<EngineResult, bool>? LowerBound { get; init; }

    public string Text(EngineResult r) => Value(r) is { } v
        ? (LowerBound?.Invoke(r) == true ? "≥ " : "") + v.ToString(Format, CultureInfo.InvariantCulture)
        : "—";

    /// <summary>The best value among rows that were measured successfully, or null when none was.</summary>
    public double? Best(IEnumerable<EngineResult> results)
    {
        var values = results.Where(r => r.Status == "ok").Select(Value).OfType<double>().ToList();
        return values.Count == 0 ? null : HigherIsBetter ? values.Max() : values.Min();
    }

    /// <summary>True for the best of <paramref name="all"/> (the engines): a reference or contender row is compared, never marked.</summary>
    public bool IsBest(EngineResult r, IReadOnlyList<EngineResult> all) =>
        all.Contains(r) && r.Status == "ok" && all.Count(x => x.Status == "ok") > 1 && Value(r) is { } v && Best(all) is { } b && v == b;
}

/// <summary>A narrow table of the figures: a title, a line saying what its figures are, its columns.</summary>
internal sealed record ColumnGroup(string Slug, string Title, string Explanation, Column[] Columns);

/// <summary>
/// The comparison's columns, the same in the terminal, report.md and report.html, split into a few narrow
/// tables (each fits 120 columns with its row names) rather than one of sixteen columns.
/// </summary>
internal static class Columns
{
    public static readonly ColumnGroup Connection = new("connection", "Cost per idle connection",
        "user B/conn = Σ(RSS − baseline after warm-up) / held (a contender: Σ PSS over its process tree); kernel B/conn = slab growth / held " +
        "(both loopback ends' sockets); threads and CPU seconds: the servers' totals while holding",
    [
        new("held", r => r.ConnectionsHeld, true, "N0"),
        new("connect/s", r => r.ConnectRatePerSecond, true, "N0"),
        new("user B/conn", r => r.UserBytesPerConnection, false, "N0"),
        new("kernel B/conn", r => r.KernelBytesPerConnection, false, "N0"),
        new("threads", r => r.Threads, false, "N0"),
        new("CPU user s", r => r.CpuUserSeconds, false, "0.00"),
        new("CPU sys s", r => r.CpuSystemSeconds, false, "0.00"),
    ]);

    public static readonly ColumnGroup Echo = new("echo", "Throughput and latency",
        "echo: the constant-rate (open-model) echo, latency from each message's scheduled send (CO-corrected); max msgs/s: the closed loop, " +
        "\"≥\" where the load generator was the limit",
    [
        new("echo msg/s", r => r.Echo?.RateAchieved, true, "N0"),
        new("echo p50 µs", r => r.Echo?.P50, false, "N0"),
        new("echo p99 µs", r => r.Echo?.P99, false, "N0"),
        new("echo p99.9 µs", r => r.Echo?.P999, false, "N0"),
        new("max msgs/s", r => r.MaxMsgsPerSecond, true, "N0") { LowerBound = r => r.ClosedGeneratorBound },
    ]);

    public static readonly ColumnGroup Cost = new("cost", "CPU per echoed message",
        "the servers' own CPU per message (µs, user / system: the question's /usr/bin/time made per message), syscalls and context switches " +
        "per message, at the open-model rate every row is offered and at the closed-loop maximum, net of the same processes at rest",
    [
        new("user µs", r => r.CostAtRate?.UserMicros, false, "0.00"),
        new("sys µs", r => r.CostAtRate?.SystemMicros, false, "0.00"),
        new("syscalls", r => r.CostAtRate?.Syscalls, false, "0.00"),
        new("vol cs", r => r.CostAtRate?.VoluntarySwitches, false, "0.000"),
        new("invol cs", r => r.CostAtRate?.InvoluntarySwitches, false, "0.000"),
        new("max: user µs", r => r.CostClosed?.UserMicros, false, "0.00"),
        new("max: sys µs", r => r.CostClosed?.SystemMicros, false, "0.00"),
    ]);

    public static readonly ColumnGroup Fairness = new("fairness", "Beside heavy neighbours",
        "light clients' latency beside floods and a client that never reads; fairness: Jain's index of the floods' shares (1 = equal)",
    [
        new("neighbours p50 µs", r => r.Neighbours?.P50, false, "N0"),
        new("neighbours p99 µs", r => r.Neighbours?.P99, false, "N0"),
        new("fairness (Jain)", r => r.Neighbours?.Jain, true, "0.000"),
    ]);

    public static readonly ColumnGroup[] Groups = [Connection, Echo, Cost, Fairness];

    public static IEnumerable<Column> All => Groups.SelectMany(g => g.Columns);

    public static string Bytes(double bytes) => Math.Abs(bytes) >= 1024
        ? (bytes / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB"
        : bytes.ToString("0", CultureInfo.InvariantCulture) + " B";
}
