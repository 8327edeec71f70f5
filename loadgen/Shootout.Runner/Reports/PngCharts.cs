using ScottPlot;

namespace Shootout.Runner.Reports;

/// <summary>The charts as PNG files (ScottPlot), for reading without a browser.</summary>
internal static class PngCharts
{
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<Chart> charts)
    {
        var files = new List<string>();
        foreach (var chart in charts)
        {
            string path = Path.Combine(dir, $"{chart.Slug}.png");
            Render(chart).SavePng(path, 900, 500);
            files.Add(path);
        }
        return files;
    }

    private static Plot Render(Chart chart)
    {
        var plot = new Plot();
        int groups = chart.Categories.Count, series = chart.Series.Count;
        double width = 0.8 / (chart.Stacked ? 1 : Math.Max(1, series));
        var bars = new List<Bar>();
        for (int c = 0; c < groups; c++)
        {
            double stack = 0;
            for (int s = 0; s < series; s++)
            {
                if (chart.Series[s].Values[c] is not { } v) continue;
                if (chart.Stacked)
                {
                    bars.Add(new Bar
                    {
                        Position = c, ValueBase = stack, Value = stack + Math.Max(0, v), Size = width * 0.95,
                        FillColor = Color.FromHex(Charts.Palette[s % Charts.Palette.Length]),
                    });
                    stack += Math.Max(0, v);
                    continue;
                }
                bars.Add(new Bar
                {
                    Position = c - 0.4 + width * (s + 0.5),
                    // A negative figure (the kernel's slab shrank meanwhile) is noted in the report, drawn as no bar.
                    Value = Math.Max(Charts.Axis(chart, v), chart.LogScale ? Charts.Range(chart).Low : 0),
                    ValueBase = chart.LogScale ? Charts.Range(chart).Low : 0,
                    Size = width * 0.95,
                    FillColor = Color.FromHex(Charts.Palette[s % Charts.Palette.Length]),
                    Label = ChartText.Short(v),
                });
            }
        }
        var plotted = plot.Add.Bars(bars);
        foreach (var (label, value) in chart.ReferenceLines)
        {
            var line = plot.Add.HorizontalLine(value);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.Text = label;
        }
        plotted.ValueLabelStyle.FontSize = 12;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, groups).Select(i => (double)i).ToArray(), chart.Categories.ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.HideGrid();
        plot.Axes.Margins(bottom: 0, top: 0.15);
        plot.Title(chart.Title);
        plot.YLabel(chart.LogScale ? chart.Unit + " (log scale)" : chart.Unit);
        if (chart.LogScale)
        {
            var (low, high) = Charts.Range(chart);
            var decades = Enumerable.Range((int)low, (int)(high - low) + 1).Select(d => (double)d).ToArray();
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(decades, decades.Select(d => ChartText.Short(Math.Pow(10, d))).ToArray());
            plot.Axes.SetLimitsY(low, high + 0.15 * (high - low));
        }
        if (series > 1)
        {
            for (int s = 0; s < series; s++)
            {
                var color = Color.FromHex(Charts.Palette[s % Charts.Palette.Length]);
                plot.Legend.ManualItems.Add(new LegendItem { LabelText = chart.Series[s].Name, FillColor = color });
            }
            plot.Legend.IsVisible = true;
            plot.Legend.Alignment = Alignment.UpperLeft;
        }
        return plot;
    }
}
