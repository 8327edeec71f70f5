using System.Globalization;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>A run whose runner died: its results directory, when it started, and the processes it left that were stopped now.</summary>
internal sealed record DeadRun(string ResultsDir, string StartedAt, IReadOnlyList<int> Stopped)
{
    /// <summary>The one line a next run prints about it.</summary>
    public string Describe() =>
        $"a previous run died without stopping what it started: {ResultsDir} (started {StartedAt}); " +
        (Stopped.Count == 0 ? "nothing of it was still running"
            : $"stopped its {Stopped.Count} leftover process(es): pids {string.Join(',', Stopped)}");
}

/// <summary>
/// Finds the registry files (<see cref="RunRegistry"/>) of runners that are gone, stops what each had started
/// and is still running (SIGTERM, then SIGKILL after a grace), with whatever those started in turn (the load
/// generator's agents), and removes the files.
/// </summary>
internal static class DeadRuns
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static async Task<IReadOnlyList<DeadRun>> StopLeftoversAsync()
    {
        var dead = new List<DeadRun>();
        if (!Directory.Exists(RunRegistry.Directory)) return dead;
        foreach (string file in Directory.EnumerateFiles(RunRegistry.Directory, "run-*.pids"))
        {
            if (Read(file) is not { } run || IsAlive(run.Runner)) continue;
            // The descendants first, while they are still the children's (a stopped parent's are re-parented and lost).
            var alive = run.Children.Where(IsAlive).Select(c => c.Pid).ToList();
            var everyone = alive.SelectMany(pid => ProcessTree.Descendants(pid).Prepend(pid)).Distinct().ToList();
            var identities = everyone.Select(pid => (Pid: pid, Start: ProcStat.StartTime(pid))).Where(p => p.Start is not null).ToList();
            foreach (var p in identities)
            {
                Native.Signal(p.Pid, Native.SIGTERM);
                Native.Signal(p.Pid, Native.SIGCONT); // a load generator paused at a wall would not see the SIGTERM
            }
            var deadline = DateTime.UtcNow + Grace;
            while (identities.Any(p => ProcStat.StartTime(p.Pid) == p.Start) && DateTime.UtcNow < deadline)
                await Task.Delay(100).ConfigureAwait(false);
            foreach (var p in identities.Where(p => ProcStat.StartTime(p.Pid) == p.Start))
                Native.Signal(p.Pid, Native.SIGKILL);
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
            dead.Add(new DeadRun(run.ResultsDir, run.StartedAt, identities.Select(p => p.Pid).ToList()));
        }
        return dead;
    }

    private sealed record Entry(int Pid, long Start);

    private sealed record Registered(Entry Runner, string ResultsDir, string StartedAt, IReadOnlyList<Entry> Children);

    private static bool IsAlive(Entry e) => ProcStat.StartTime(e.Pid) == e.Start;

    /// <summary>A registry file, or null when it cannot be read (half-written: its runner died while writing the header).</summary>
    private static Registered? Read(string file)
    {
        try
        {
            Entry? runner = null;
            string results = "?", started = "?";
            var children = new List<Entry>();
            foreach (string line in File.ReadAllLines(file))
            {
                var words = line.Split(' ', 4);
                switch (words[0])
                {
                    case "runner" when words.Length >= 3:
                        runner = new Entry(int.Parse(words[1], CultureInfo.InvariantCulture), long.Parse(words[2], CultureInfo.InvariantCulture));
                        break;
                    case "child" when words.Length >= 3:
                        children.Add(new Entry(int.Parse(words[1], CultureInfo.InvariantCulture), long.Parse(words[2], CultureInfo.InvariantCulture)));
                        break;
                    case "results":
                        results = line["results ".Length..];
                        break;
                    case "started":
                        started = line["started ".Length..];
                        break;
                }
            }
            return runner is null ? null : new Registered(runner, results, started, children);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return null;
        }
    }
}
