using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>
/// What goes beneath the tables, once rather than in every row: each row that failed or stopped at a wall,
/// the load generator's hints grouped by hint, where each role ran; and the figures the question quotes.
/// </summary>
internal static class TableNotes
{
    public static IReadOnlyList<string> For(RunSummary s)
    {
        var notes = new List<string>();
        foreach (var r in s.Rows.Where(r => r.Error is not null)) notes.Add($"{r.Label}: FAILED: {r.Error}");
        foreach (var r in s.Rows.Where(r => r.Error is null && r.Limit is not null)) notes.Add($"{r.Label}: stopped at the wall: {r.Limit}");
        foreach (var (name, why) in s.ReferencesSkipped) notes.Add($"{name} (reference): skipped: {why}");
        foreach (var r in s.Rows.Where(r => r.ClosedGeneratorBound))
            notes.Add(F($"{r.Label}: max msgs/s ≥ {r.MaxMsgsPerSecond:N0}, generator-bound: the load generator's CPUs were ≥ 90% busy"));
        foreach (var r in s.Rows.Where(r => r.KernelBytesPerConnection < 0))
            notes.Add($"{r.Label}: kernel B/conn is negative: the slab shrank while it ramped (something else freed more), so it is not meaningful");
        if (Hints(s) is { } hints) notes.Add(hints);
        notes.Add(Cpus(s));
        return notes;
    }

    /// <summary>
    /// The load generator's hints, each said once: hints that fell on the same rows together, "every row" when they
    /// fell on all of them. Null when there were none.
    /// </summary>
    public static string? Hints(RunSummary s)
    {
        var rowsByHint = s.Rows.SelectMany(r => r.Hints.Distinct().Select(h => (Hint: h, Row: r.Label)))
            .GroupBy(x => x.Hint, x => x.Row).Select(g => (Hint: g.Key, Rows: string.Join(", ", g))).ToList();
        if (rowsByHint.Count == 0) return null;
        // A row that failed before its phases ran has no hints to carry: "every row measured" leaves it out.
        string every = string.Join(", ", s.Rows.Where(r => r.Status == "ok" || r.Hints.Count > 0).Select(r => r.Label));
        var groups = rowsByHint.GroupBy(x => x.Rows, x => x.Hint)
            .Select(g => $"{string.Join(", ", g)}: {(g.Key == every ? "every row measured" : g.Key)}");
        return "loadgen hints (a figure there may be partly the load generator's): " + string.Join("; ", groups);
    }

    /// <summary>The figures the question quotes from elsewhere, labelled as quotes.</summary>
    public static string Quoted(RunSummary s) =>
        "quoted by the project's question, not measured here: " +
        string.Join(", ", Reference.Points.Select(p => F($"{p.Name} {p.Bytes / 1024:0.0} KB per {p.Unit}"))) +
        (s.References.Any(r => r.Engine is "go" or "rust") ? " (the go and rust reference rows are measured)" : "");

    /// <summary>Which CPUs each role had, for every figure: once when every row ran the same way.</summary>
    public static string Cpus(RunSummary s)
    {
        // A row that failed before it was measured has no arrangement to report.
        var measured = s.Rows.Where(r => r.Status == "ok" || r.Cpus is not null).ToList();
        var groups = measured.GroupBy(RowDetails.Cpus).ToList();
        return groups.Count <= 1
            ? $"CPUs: {(measured.Count == 0 ? "—" : RowDetails.Cpus(measured[0]))} for every row measured"
            : "CPUs: " + string.Join("; ", groups.Select(g => $"{string.Join(", ", g.Select(r => r.Label))}: {g.Key}"));
    }
}
