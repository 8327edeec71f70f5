using System.Text.Json;
using ScottPlot;

namespace Shootout.Seed;

/// <summary>
/// The charts of a seed run, from its summary.json: memory per task (log scale, measured beside the
/// figures quoted by the original experiment) and the time taken (elapsed, user and system CPU).
/// </summary>
internal static class SeedChart
{
    private static readonly string[] Palette = ["#4c78a8", "#f58518", "#54a24b", "#e45756"];

    public static void Write(string summaryPath, string outDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(summaryPath));
        var variants = doc.RootElement.GetProperty("variants").EnumerateObject()
            .Where(v => v.Value.TryGetProperty("tasks", out var t) && t.GetInt64() > 0).ToList();
        string[] names = variants.Select(v => v.Name).ToArray();
        double? Field(JsonElement e, string name) => e.TryGetProperty(name, out var f) && f.ValueKind == JsonValueKind.Number ? f.GetDouble() : null;

        Bars(Path.Combine(outDir, "seed-memory.png"), "Memory per sleeping task (max RSS − runtime baseline) / tasks", "bytes per task (log scale)", names,
            [("measured here", variants.Select(v => Field(v.Value, "rss_per_task_bytes")).ToArray()),
             ("quoted by the original", variants.Select(v => Field(v.Value, "quoted_rss_per_task_bytes")).ToArray())], log: true);
        Bars(Path.Combine(outDir, "seed-time.png"), "Time for all tasks to sleep 1 s and be joined", "seconds", names,
            [("elapsed", variants.Select(v => Field(v.Value, "elapsed_s")).ToArray()),
             ("user CPU", variants.Select(v => Field(v.Value, "user_s")).ToArray()),
             ("system CPU", variants.Select(v => Field(v.Value, "sys_s")).ToArray())], log: false);
    }

    private static void Bars(string path, string title, string unit, string[] categories, (string Name, double?[] Values)[] series, bool log)
    {
        var plot = new Plot();
        double width = 0.8 / series.Length;
        var bars = new List<Bar>();
        for (int c = 0; c < categories.Length; c++)
        {
            for (int s = 0; s < series.Length; s++)
            {
                if (series[s].Values[c] is not { } v) continue;
                bars.Add(new Bar
                {
                    Position = c - 0.4 + width * (s + 0.5),
                    Value = log ? Math.Log10(Math.Max(v, 1)) : v,
                    Size = width * 0.95,
                    FillColor = Color.FromHex(Palette[s % Palette.Length]),
                    Label = v.ToString(v >= 100 ? "N0" : "0.##", System.Globalization.CultureInfo.InvariantCulture),
                });
            }
        }
        plot.Add.Bars(bars).ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, categories.Length).Select(i => (double)i).ToArray(), categories);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        if (log)
        {
            double[] decades = [0, 1, 2, 3, 4, 5, 6];
            var labels = decades.Select(d => Math.Pow(10, d).ToString("N0", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(decades, labels);
            plot.Axes.SetLimitsY(0, 5.5);
        }
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(title);
        plot.YLabel(unit);
        for (int s = 0; s < series.Length; s++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = Color.FromHex(Palette[s % Palette.Length]) });
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.SavePng(path, 1000, 500);
    }
}
