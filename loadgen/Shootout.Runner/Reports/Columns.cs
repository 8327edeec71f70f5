using System.Globalization;
using Shootout.Runner.Run;

namespace Shootout.Runner.Reports;

/// <summary>One column of the comparison table: how to read it from a result and which way is better.</summary>
internal sealed record Column(string Header, Func<EngineResult, double?> Value, bool HigherIsBetter, string Format)
{
    public string Text(EngineResult r) => Value(r) is { } v ? v.ToString(Format, CultureInfo.InvariantCulture) : "—";

    /// <summary>The best value among engines that were measured successfully, or null when none was.</summary>
    public double? Best(IEnumerable<EngineResult> results)
    {
        var values = results.Where(r => r.Status == "ok").Select(Value).OfType<double>().ToList();
        return values.Count == 0 ? null : HigherIsBetter ? values.Max() : values.Min();
    }

    public bool IsBest(EngineResult r, IReadOnlyList<EngineResult> all) =>
        r.Status == "ok" && all.Count(x => x.Status == "ok") > 1 && Value(r) is { } v && Best(all) is { } b && v == b;
}

/// <summary>The comparison table's columns, the same in the terminal, report.md and report.html.</summary>
internal static class Columns
{
    public static readonly Column[] All =
    [
        new("held", r => r.ConnectionsHeld, true, "N0"),
        new("connect/s", r => r.ConnectRatePerSecond, true, "N0"),
        new("user B/conn", r => r.UserBytesPerConnection, false, "N0"),
        new("kernel B/conn", r => r.KernelBytesPerConnection, false, "N0"),
        new("threads", r => r.Threads, false, "N0"),
        new("CPU user s", r => r.CpuUserSeconds, false, "0.00"),
        new("CPU sys s", r => r.CpuSystemSeconds, false, "0.00"),
        new("echo p50 µs", r => r.Echo?.P50, false, "N0"),
        new("echo p99 µs", r => r.Echo?.P99, false, "N0"),
        new("echo p99.9 µs", r => r.Echo?.P999, false, "N0"),
        new("max msgs/s", r => r.MaxMsgsPerSecond, true, "N0"),
        new("neighbours p50 µs", r => r.Neighbours?.P50, false, "N0"),
        new("neighbours p99 µs", r => r.Neighbours?.P99, false, "N0"),
        new("fairness (Jain)", r => r.Neighbours?.Jain, true, "0.000"),
    ];

    public static string Bytes(double bytes) => bytes >= 1024
        ? (bytes / 1024).ToString("0.0", CultureInfo.InvariantCulture) + " KiB"
        : bytes.ToString("0", CultureInfo.InvariantCulture) + " B";
}
