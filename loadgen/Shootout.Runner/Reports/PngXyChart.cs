using ScottPlot;

namespace Shootout.Runner.Reports;

/// <summary>An x/y chart as PNG (ScottPlot), for the docs: the same series, ticks and legend as the SVG.</summary>
internal static class PngXyChart
{
    public static void Write(string path, XyChart chart)
    {
        var plot = new Plot();
        foreach (var s in chart.Series)
        {
            var points = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!chart.LogY || p.Y > 0)).ToList();
            if (points.Count == 0) continue;
            var scatter = plot.Add.Scatter(points.Select(p => p.X).ToArray(), points.Select(p => chart.AxisY(p.Y)).ToArray(), Color.FromHex(s.Color));
            scatter.LegendText = s.Name;
            scatter.LineWidth = s.Markers ? 1 : 2;
            scatter.MarkerSize = s.Markers ? 6 : 0;
            if (s.Dashed) scatter.LinePattern = LinePattern.Dashed;
        }
        var xt = chart.TicksX();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xt.Select(t => t.At).ToArray(), xt.Select(t => t.Label).ToArray());
        var yt = chart.TicksY();
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(yt.Select(t => t.At).ToArray(), yt.Select(t => t.Label).ToArray());
        var (x0, x1) = chart.RangeX();
        var (y0, y1) = chart.RangeY();
        plot.Axes.SetLimits(x0, x1, y0, y1);
        plot.Title(chart.Title);
        plot.XLabel(chart.XUnit);
        plot.YLabel(chart.LogY ? chart.YUnit + " (log scale)" : chart.YUnit);
        plot.Legend.IsVisible = chart.Series.Count > 0;
        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.SavePng(path, 1200, 600);
    }
}
