using System.Globalization;
using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Bench;

/// <summary>
/// `shootout-runner bench`: every row (references, then engines; with --baseline the baseline build's engine beside each) in
/// turn, round after round, so rows alternate and each ratio is read within a round; then every ratio over rounds with
/// its 95% interval. The server processes run on one set of CPUs, the C client on another. Writes
/// RESULTS/bench-&lt;time&gt;/ (table.txt, summary.json, logs/) and points RESULTS/bench-latest at it.
/// </summary>
internal static class BenchRun
{
    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancel)
    {
        var (serverCpus, clientCpus) = (settings.Cpus?.Server, settings.Cpus?.LoadGen);
        string stamp = DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        string outDir = Path.GetFullPath(Path.Combine(settings.ResultsDir, $"bench-{stamp}"));
        string workDir = Path.Combine(outDir, "logs");
        Directory.CreateDirectory(workDir);
        // The same safety net as the shootout's: what a bench that died left running is stopped here, and what this one
        // starts is written down for the next run.
        foreach (var dead in await DeadRuns.StopLeftoversAsync()) Console.WriteLine(dead.Describe());
        using var registry = RunRegistry.Open(outDir, DateTimeOffset.Now);
        string loadBefore = LoadAverage();
        var stolen = StolenTime.Start();
        Console.WriteLine($"bench: server processes on CPUs {serverCpus?.ToString() ?? "any"}, the C client on CPUs {clientCpus?.ToString() ?? "any"}" +
                          $"{(serverCpus is null || clientCpus is null ? " (shared: asked, or fewer than 2 CPUs)" : "")}; load average {loadBefore}");

        // The accept phase connects every connection in one burst. A SYN dropped because a listener's accept queue was full
        // costs that connect a 1 s retransmission, which alone turns ~0.25 s into ~1.25 s: the rate would measure one
        // scheduling hiccup, not the accept path. So every server gets a queue that holds the whole burst (the kernel caps a
        // listen backlog at somaxconn), raised as root and put back afterwards; each row says how many overflows it still saw.
        var sysctl = Native.IsRoot ? KernelLimits.System.Raise([("net.core.somaxconn", 65_535)]) : [];
        try
        {
            var (rows, skipped) = await BenchRows.PlanAsync(settings, workDir, reverseEveryOtherRound: true);
            var client = new BenchClient(settings.BenchClientPath, clientCpus, workDir);
            var ports = new ServerPorts();
            var measurement = new RowMeasurement(settings, client, ports, serverCpus, workDir);
            var table = new List<string> { BenchTable.Header };
            Console.WriteLine(BenchTable.Header);
            var results = new List<RowResult>();
            for (int i = 0; i < rows.Count; i++)
            {
                // A fresh destination address per row: no TIME_WAIT left over from the row before.
                string host = $"127.0.{1 + i / 250}.{2 + i % 250}";
                var result = await measurement.MeasureAsync(rows[i], host, cancel);
                results.Add(result);
                string line = BenchTable.Row(result);
                table.Add(line);
                Console.WriteLine(line);
                if (result.ListenOverflows > 0)
                    Console.WriteLine($"{rows[i].Name}: {result.ListenOverflows} listen overflow(s) in its accept phase: " +
                                      "each cost a connect a 1 s SYN retransmission");
            }
            foreach (var (name, why) in skipped)
            {
                string line = $"{name,-14} skipped: {why}";
                table.Add(line);
                Console.WriteLine(line);
            }
            var ratios = BenchRatios.Of(results);
            var text = new List<string>();
            if (ratios.Count > 0) text.AddRange(["", BenchTable.RatioHeader, .. ratios.Select(BenchTable.Ratio)]);
            text.AddRange(BenchTable.Legend(settings));
            foreach (string line in text) Console.WriteLine(line);
            table.AddRange(text);

            IReadOnlyList<NeighboursRow> neighbours = [];
            if (settings.Neighbours)
            {
                void Line(string line)
                {
                    Console.WriteLine(line);
                    table.Add(line);
                }
                Line("");
                neighbours = await new BenchNeighbours(settings, client, ports, serverCpus, clientCpus, workDir).RunAsync(Line, cancel);
                foreach (string line in BenchNeighbours.MedianLines(neighbours)) Line(line);
            }

            string loadAfter = LoadAverage();
            var summary = BenchSummary.Build(settings, serverCpus, clientCpus, results, skipped, ratios, sysctl, loadBefore, loadAfter);
            if (settings.Neighbours) summary["neighbours"] = BenchNeighbours.Json(neighbours);
            summary["stolen_share"] = new System.Text.Json.Nodes.JsonObject(
                stolen.Shares().Select(s => KeyValuePair.Create(s.Key, (System.Text.Json.Nodes.JsonNode?)Math.Round(s.Value, 4))));
            if (stolen.Note() is { } steal) Console.WriteLine(steal);
            await File.WriteAllLinesAsync(Path.Combine(outDir, "table.txt"), table, cancel);
            await File.WriteAllTextAsync(Path.Combine(outDir, "summary.json"), BenchSummary.Text(summary), cancel);
            PointLatestAt(settings.ResultsDir, outDir);
            Console.WriteLine($"load average after: {loadAfter}");
            Console.WriteLine($"results: {outDir}/table.txt, {outDir}/summary.json ({Path.Combine(settings.ResultsDir, "bench-latest")} -> bench-{stamp})");
            return results.Any(r => r.Ok) ? 0 : 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("bench: interrupted; its servers are stopped");
            return 130;
        }
        finally
        {
            if (sysctl.Count > 0) KernelLimits.System.Restore(sysctl);
            ServerCgroup.RemoveOfThisRun(); // every server has been stopped by now
        }
    }

    /// <summary>RESULTS/bench-latest, replaced in one rename so a reader never finds it missing.</summary>
    private static void PointLatestAt(string resultsDir, string outDir)
    {
        string latest = Path.Combine(resultsDir, "bench-latest"), fresh = latest + ".new";
        if (File.Exists(fresh) || Directory.Exists(fresh)) File.Delete(fresh);
        File.CreateSymbolicLink(fresh, Path.GetFileName(outDir));
        if (!Native.Rename(fresh, latest)) throw new IOException($"cannot point {latest} at {outDir}");
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
