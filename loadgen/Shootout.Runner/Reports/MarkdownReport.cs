using System.Text;
using Shootout.Runner.Run;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>report.md: the comparison table, the method, and the reference points.</summary>
internal static class MarkdownReport
{
    public static string Render(RunSummary s, IReadOnlyList<Chart> charts, IReadOnlyList<XyChart> growth)
    {
        var sb = new StringBuilder();
        sb.AppendLine("# Echo Server Shootout");
        sb.AppendLine();
        sb.AppendLine(F($"{s.StartedAt:yyyy-MM-dd HH:mm:ss zzz} · {s.Machine.Cores} cores · ") +
                      F($"{s.Machine.MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB · Linux {s.Machine.Kernel} · open-file limit ") +
                      F($"{s.Machine.RlimitNofile} · wall time {s.WallSeconds:0} s"));
        sb.AppendLine();
        var answer = Answer.Of(s);
        sb.AppendLine("## The answer");
        sb.AppendLine();
        sb.AppendLine(string.Join(" ", answer.Sentences));
        sb.AppendLine();
        if (answer.Gaps.Count > 0)
        {
            sb.AppendLine("Not measured, or not the server's alone:");
            sb.AppendLine();
            foreach (var gap in answer.Gaps) sb.AppendLine($"- {Escape(gap)}");
            sb.AppendLine();
        }
        Table(sb, Answer.Table, s);
        sb.AppendLine("## The figures");
        sb.AppendLine();
        sb.AppendLine(F($"{s.ConnectionsPerEngine:N0} idle connections per server. **Bold** marks the best among the engines in each column."));
        sb.AppendLine();
        foreach (var group in Columns.Groups)
        {
            sb.AppendLine($"### {group.Title}");
            sb.AppendLine();
            sb.AppendLine(group.Explanation + ".");
            sb.AppendLine();
            Table(sb, group, s);
        }
        foreach (var note in TableNotes.For(s)) sb.AppendLine($"- {Escape(note)}");
        sb.AppendLine();
        sb.AppendLine(s.References.Count > 0
            ? "Quoted by the project's question, not measured here (the reference rows above are; `make seed` measures these sleeping-task figures):"
            : "Quoted by the project's question, not measured here (`--references c,go,rust` measures Go and Rust servers beside the engines; " +
              "`make seed` the sleeping-task figures):");
        foreach (var (name, unit, bytes) in Reference.Points)
            sb.AppendLine(F($"- {name}: {bytes / 1024:0.0} KB per {unit}"));
        sb.AppendLine();
        sb.AppendLine("## How cost grows");
        sb.AppendLine();
        sb.AppendLine("Least-squares lines through memory against connections held, sampled as each ramp went (user space: Σ RSS of the server " +
                      "processes; kernel: slab growth since the ramp began, both loopback ends): the slope is the bytes each connection costs, " +
                      "the user-space intercept the processes' fixed cost; R² near 1 means the cost grows in a straight line.");
        sb.AppendLine();
        sb.AppendLine("| row | user B/conn (slope) | user fixed MiB | user R² | kernel B/conn (slope) | kernel fixed MiB | kernel R² | samples |");
        sb.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in s.Rows)
            sb.AppendLine($"| {r.Label} | {FitCells(r.UserFit)} | {FitCells(r.KernelFit)} | {r.Timeline.Growth.Count} |");
        sb.AppendLine();
        sb.AppendLine("## Per server");
        sb.AppendLine();
        foreach (var r in s.Rows)
        {
            string stopped = r.StoppedCleanly is { } c ? c ? "yes" : "no" : "—";
            sb.AppendLine(F($"- **{r.Label}**: {r.Processes} server process(es); held {r.ConnectionsHeld:N0} of {r.ConnectionsRequested:N0} in ") +
                          F($"{r.RampSeconds:0.0} s; RSS {r.BaselineRssBytes / 1048576.0:N0} MiB at baseline, {r.HeldRssBytes / 1048576.0:N0} ") +
                          F($"MiB held; echo achieved {r.Echo?.RateAchieved ?? 0:N0} of {r.Echo?.RateRequested ?? 0:N0} msg/s; stopped cleanly: ") +
                          F($"{stopped}; {r.WallSeconds:0} s"));
            sb.AppendLine(F($"  user-space growth Σ(RSS − baseline) {r.UserGrowthBytes / 1048576.0:N0} MiB; load generator RSS ") +
                          F($"{(r.LoadGenRssBytes ?? 0) / 1048576.0:N0} MiB; MemAvailable {Gb(r.MemAvailableBeforeBytes)} before, ") +
                          F($"{Gb(r.MemAvailableHeldBytes)} holding, {Gb(r.MemAvailableLowestBytes)} lowest"));
            sb.AppendLine($"  {RowDetails.Cpus(r)}; {RowDetails.GeneratorCpu(r)}");
            if (r.Limit is not null) sb.AppendLine($"  the ramp stopped at the wall: {r.Limit}");
            if (r.Rejected.Count > 0)
                sb.AppendLine($"  closed by the servers themselves: {string.Join(", ", r.Rejected.Select(kv => F($"{kv.Key} {kv.Value:N0}")))}");
            sb.AppendLine($"  destinations: {r.Destinations}");
        }
        sb.AppendLine();
        sb.AppendLine("## How it was measured");
        sb.AppendLine();
        var st = s.Settings;
        sb.AppendLine("Each engine in turn, alone on the machine:");
        sb.AppendLine(F($"1. Start it: one process per {s.Machine.RlimitNofile:N0} open files (minus headroom), several sharing the port with ") +
                      F($"SO_REUSEPORT when the connections need more."));
        int copies = s.Engines.Count == 0 ? 1 : s.Engines.Max(e => e.Processes);
        sb.AppendLine(F($"2. Warm up: {EngineRun.WarmupFor(st.WarmupConnections, copies):N0} connections (at least 100 per server copy) opened, ") +
                      F($"echoed on for a second and closed, the same for every engine, so one-off costs (JIT, buffer pools, heap growth) are ") +
                      F($"not counted per connection. Then the baseline: the servers' RSS once memory and threads stop moving."));
        sb.AppendLine(F($"3. Ramp {s.ConnectionsPerEngine:N0} idle connections (loadgen `hold`, asked for {st.ConnectRate:N0}/s; connect/s is ") +
                      F($"what was achieved) spread over loopback destinations of the engine's own 127.N.0.0/16 block."));
        sb.AppendLine("4. Hold them: user B/conn = Σ(RSS − baseline) / connections held; kernel B/conn = growth of the kernel's slab memory " +
                      "(/proc/meminfo Slab) over the ramp / connections held. " +
                      "On loopback both ends of every connection are on this machine, so the kernel figure counts the client's socket too " +
                      "(roughly half is the server's); it also moves with anything else the machine does. Threads and CPU seconds (user, system) " +
                      "are the servers' totals so far.");
        sb.AppendLine(F($"5. With the idle connections still open: echo at a constant {st.EchoRate:N0} msg/s over {st.EchoConnections} ") +
                      F($"connections for {st.EchoDuration.TotalSeconds:0.#} s ({st.MessageSize} B messages), latency from each message's ") +
                      F($"scheduled send time (coordinated-omission corrected); then closed loop on {st.ClosedConnections} connections for ") +
                      F($"{st.ClosedDuration.TotalSeconds:0.#} s (max msgs/s)."));
        sb.AppendLine(F($"6. SIGTERM, and the next engine. Throughout, a watchdog reads MemAvailable: the ramp stops (the load generator ") +
                      F($"paused, keeping what it holds) when it would fall below {st.MemoryReserveBytes / (1024.0 * 1024 * 1024):0.#} GiB ") +
                      F($"counting the connections still waiting to be accepted, and the engine's processes are killed below half of that; a ") +
                      F($"ramp also stops after {st.RampTimeout.TotalSeconds:0} s. Such a stop is reported as the wall the engine reached, not ") +
                      F($"as a failure."));
        sb.AppendLine(NeighboursReport.Method(st.Neighbours));
        if (s.SysctlChanges.Count > 0 || s.Notes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("## Kernel settings and notes");
            sb.AppendLine();
            foreach (var c in s.SysctlChanges) sb.AppendLine($"- `{c.Name}`: {c.Old} → {c.New}");
            foreach (var n in s.Notes) sb.AppendLine($"- {n}");
        }
        sb.AppendLine();
        sb.AppendLine("## Charts");
        sb.AppendLine();
        foreach (var c in charts) sb.AppendLine($"![{c.Title}]({c.Slug}.png)");
        foreach (var c in growth) sb.AppendLine($"![{c.Title}]({c.Slug}.png)");
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, ColumnGroup group, RunSummary s)
    {
        sb.Append("| server | ").Append(string.Join(" | ", group.Columns.Select(c => c.Header))).AppendLine(" |");
        sb.Append("|---|").AppendLine(string.Concat(group.Columns.Select(_ => "---:|")));
        foreach (var r in s.Rows)
        {
            sb.Append("| ").Append(r.Label).Append(r.Status == "ok" ? "" : " ✗").Append(" | ");
            sb.AppendLine(string.Join(" | ", group.Columns.Select(c => c.IsBest(r, s.Engines) ? $"**{c.Text(r)}**" : c.Text(r))) + " |");
        }
        sb.AppendLine();
    }

    /// <summary>Slope (B/conn), intercept (MiB) and R² as three table cells; dashes when there was nothing to fit.</summary>
    public static string FitCells(LinearFit? f) => f is null ? "— | — | —" : F($"{f.Slope:N0} | {f.Intercept / 1048576.0:0.0} | {f.RSquared:0.000}");

    private static string Gb(long? bytes) => bytes is { } b ? Machine.MemoryWatchdog.Gb(b) : "—";

    private static string Escape(string s) => s.Replace("|", "\\|").Replace("\n", " ");
}
