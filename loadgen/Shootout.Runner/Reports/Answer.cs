using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>
/// What the run answers, in a few sentences written from its own figures (never by hand): what an idle
/// connection costs and the ratio between the cheapest and the dearest row, where the CPU goes per message,
/// who led on throughput and latency and by how much, and what could not be measured. The same text opens
/// the console's summary, report.md and report.html.
/// </summary>
internal sealed record Answer(IReadOnlyList<string> Sentences, IReadOnlyList<string> Gaps)
{
    /// <summary>The answer's one small table: a column or two from each of the narrow tables.</summary>
    public static readonly ColumnGroup Table = new("answer", "The answer in one table",
        "memory per idle connection (user space, kernel), server CPU per echoed message at the common rate (user, system), " +
        "closed-loop throughput and echo p99",
    [
        Columns.Connection.Columns[2],
        Columns.Connection.Columns[3],
        Columns.Cost.Columns[0] with { Header = "msg user µs" },
        Columns.Cost.Columns[1] with { Header = "msg sys µs" },
        Columns.Echo.Columns[4],
        Columns.Echo.Columns[2],
    ]);

    public static Answer Of(RunSummary s)
    {
        var ok = s.Rows.Where(r => r.Status == "ok").ToList();
        var sentences = new List<string?>
        {
            Arrangement(s),
            IdleConnection(ok),
            Quoted(ok),
            CpuPerMessage(ok, s.Settings.EchoRate),
            Throughput(ok),
            Latency(ok, s),
        };
        return new Answer(sentences.OfType<string>().ToList(), Unmeasured(s));
    }

    private static string Arrangement(RunSummary s) =>
        F($"{s.Rows.Count} servers measured one after another on {s.Machine.Cores} cores, {s.ConnectionsPerEngine:N0} idle connections each ") +
        $"({TableNotes.Cpus(s)}" + (s.Rows.Any(r => r.Cpus is null) ? "; sharing cores, a figure is the pair's, not the server's alone)." : ").");

    private static string? IdleConnection(List<EngineResult> ok)
    {
        var measured = ok.Where(r => r.UserBytesPerConnection is not null).ToList();
        if (measured.Count == 0) return null;
        var doubtful = measured.Where(r => !KernelTrusted(r)).ToList();
        if (doubtful.Count > 0)
        {
            // Slab memory moves with everything else the machine does: a kernel figure that did not grow with the
            // connections ranks nothing, and then neither do the others' (a sum of one trusted and one not is neither).
            var byUser = measured.OrderBy(r => r.UserBytesPerConnection).ToList();
            string kernelNote = $"the kernel figures of {Names(doubtful)} did not grow in step with the connections (negative, or a growth " +
                                $"line with R² below {MinKernelRSquared:0.0}: something else on the machine moved the slab), so the rows are " +
                                "ranked by user space alone";
            if (byUser.Count == 1)
                return F($"An idle connection cost {byUser[0].Label} {Bytes(byUser[0].UserBytesPerConnection)} in user space; ") + kernelNote + ".";
            var (least, most) = (byUser[0], byUser[^1]);
            // RSS moves in pages: within a few pages of nothing, a ratio to it would be a ratio to rounding.
            string ratio = least.UserBytesPerConnection < 4 * 4096.0 / Math.Max(1, least.ConnectionsHeld)
                ? "the least is within a few memory pages of nothing, so no ratio"
                : $"{Ratio(most.UserBytesPerConnection!.Value, least.UserBytesPerConnection!.Value)} as much";
            return F($"An idle connection cost {least.Label} {Bytes(least.UserBytesPerConnection)} in user space, the least, and ") +
                   F($"{most.Label} {Bytes(most.UserBytesPerConnection)}, the most: ") + $"{ratio}; {kernelNote}.";
        }
        var ranked = measured.OrderBy(Total).ToList();
        var cheap = ranked[0];
        string first = F($"An idle connection cost {cheap.Label} {Bytes(cheap.UserBytesPerConnection)} in user space and ") +
                       F($"{Bytes(cheap.KernelBytesPerConnection)} in the kernel");
        if (ranked.Count == 1) return first + " (the kernel figure counts both loopback ends).";
        var dear = ranked[^1];
        return first + F($", the least; {dear.Label} the most, {Bytes(dear.UserBytesPerConnection)} and {Bytes(dear.KernelBytesPerConnection)}: ") +
               $"{Ratio(Total(dear), Total(cheap))} as much in all (the kernel figure counts both loopback ends, the same for every row).";
    }

    /// <summary>A kernel figure below this R² of its growth line moved with something other than the connections.</summary>
    private const double MinKernelRSquared = 0.8;

    private static bool KernelTrusted(EngineResult r) =>
        r.KernelBytesPerConnection is >= 0 && (r.KernelFit is not { } fit || fit.RSquared >= MinKernelRSquared);

    private static double Total(EngineResult r) => (r.UserBytesPerConnection ?? 0) + (r.KernelBytesPerConnection ?? 0);

    /// <summary>The question's quoted figures beside the rows that measure the same thing here.</summary>
    private static string? Quoted(List<EngineResult> ok)
    {
        var rust = ok.FirstOrDefault(r => r.IsReference && r.Engine == "rust");
        var go = ok.FirstOrDefault(r => r.IsReference && r.Engine == "go");
        if (rust?.UserBytesPerConnection is null && go?.UserBytesPerConnection is null) return null;
        var parts = new List<string>();
        if (rust?.UserBytesPerConnection is { } r) parts.Add($"a Rust thread per connection {Bytes(r)}");
        if (go?.UserBytesPerConnection is { } g) parts.Add($"a goroutine per connection {Bytes(g)}");
        return $"The question quotes 8.5 KB per Rust thread and 2.1 KB per goroutine (sleeping tasks); holding a socket, this run measured " +
               $"{string.Join(" and ", parts)} in user space.";
    }

    private static string CpuPerMessage(List<EngineResult> ok, double rate)
    {
        var costed = ok.Where(r => r.CostAtRate is not null).OrderBy(r => r.CostAtRate!.CpuMicros).ToList();
        if (costed.Count == 0)
            return "CPU per message (user against system) was not measured in this run.";
        string Split(EngineResult r) => F($"{r.Label} {r.CostAtRate!.CpuMicros:0.0} µs ({r.CostAtRate.UserMicros:0.0} user, ") +
                                        F($"{r.CostAtRate.SystemMicros:0.0} system)");
        int kernelHeavy = costed.Count(r => r.CostAtRate!.SystemMicros > r.CostAtRate.UserMicros);
        string range = costed.Count == 1 ? Split(costed[0]) : $"from {Split(costed[0])} to {Split(costed[^1])}";
        return F($"At {rate:N0} msg/s offered to every row, an echoed message cost the server {range} of CPU; ") +
               F($"{kernelHeavy} of {costed.Count} rows spent more of it in the kernel than in user space.");
    }

    private static string? Throughput(List<EngineResult> ok)
    {
        var ranked = ok.Where(r => r.MaxMsgsPerSecond is not null).OrderByDescending(r => r.MaxMsgsPerSecond).ToList();
        if (ranked.Count == 0) return null;
        var top = ranked[0];
        string lead = $"{top.Label} led the closed loop at {Msgs(top)}";
        if (ranked.Count == 1) return lead + ".";
        var next = ranked[1];
        string by = top.ClosedGeneratorBound || next.ClosedGeneratorBound
            ? "; the load generator bounded at least one of the two, so their order is not settled"
            : $", {Ratio(top.MaxMsgsPerSecond!.Value, next.MaxMsgsPerSecond!.Value)} the next, {next.Label} at {Msgs(next)}";
        return lead + by + "; one round each (`make bench` alternates rounds and gives each ratio its interval).";
    }

    private static string? Latency(List<EngineResult> ok, RunSummary s)
    {
        var ranked = ok.Where(r => r.Echo is not null).OrderBy(r => r.Echo!.P99).ToList();
        if (ranked.Count == 0) return null;
        var best = ranked[0];
        string first = F($"At {s.Settings.EchoRate:N0} msg/s over {s.Settings.EchoConnections:N0} connections, {best.Label} answered with the ") +
                       F($"lowest p99, {best.Echo!.P99:N0} µs (p50 {best.Echo.P50:N0} µs)");
        if (ranked.Count == 1) return first + ".";
        var worst = ranked[^1];
        return first + F($"; {worst.Label} the highest, {worst.Echo!.P99:N0} µs ({Ratio(worst.Echo.P99, best.Echo.P99)} as long).");
    }

    /// <summary>What the run could not measure: failures, walls, generator-bound figures, rows not built, hints.</summary>
    private static List<string> Unmeasured(RunSummary s)
    {
        var gaps = new List<string>();
        foreach (var r in s.Rows.Where(r => r.Error is not null)) gaps.Add($"{r.Label} failed: {r.Error}");
        foreach (var (name, why) in s.ReferencesSkipped) gaps.Add($"{name} (reference) was not measured: {why}");
        foreach (var r in s.Rows.Where(r => r.Limit is not null))
            gaps.Add(F($"{r.Label} stopped at a wall at {r.ConnectionsHeld:N0} of {r.ConnectionsRequested:N0} connections: {r.Limit}"));
        foreach (var r in s.Rows.Where(r => r.KernelBytesPerConnection < 0))
            gaps.Add($"{r.Label}'s kernel figure is not meaningful: the slab shrank while it ramped (something else freed more)");
        var bound = s.Rows.Where(r => r.ClosedGeneratorBound).ToList();
        if (bound.Count > 0)
            gaps.Add($"max msgs/s of {Names(bound)} is the load generator's limit (its CPUs ≥ 90% busy), a lower bound for the server");
        var hinted = s.Rows.Where(r => r.Hints.Count > 0).ToList();
        if (hinted.Count > 0)
            gaps.Add($"the load generator flagged figures of {Names(hinted)} as possibly its own (hints below the tables)");
        return gaps;
    }

    /// <summary>"2.4×" — or "1.05×" where the difference is small enough for the second digit to matter.</summary>
    public static string Ratio(double a, double b) => b <= 0 ? "—" : a / b >= 3 ? F($"{a / b:0.#}×") : F($"{a / b:0.00}×");

    private static string Bytes(double? b) => b is { } v ? F($"{v:N0} B") : "—";

    private static string Msgs(EngineResult r) => r.ClosedGeneratorBound
        ? F($"≥ {r.MaxMsgsPerSecond:N0} msg/s (generator-bound)")
        : F($"{r.MaxMsgsPerSecond:N0} msg/s");

    private static string Names(IEnumerable<EngineResult> rows) => string.Join(", ", rows.Select(r => r.Label));
}
