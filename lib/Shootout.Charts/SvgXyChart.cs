using System.Text;
using static Shootout.Charts.ChartText;

namespace Shootout.Charts;

/// <summary>An x/y chart as inline SVG, as wide as the page (viewBox scaled): lines, points and a legend.</summary>
public static class SvgXyChart
{
    private const int Width = 960, Left = 80, Right = 20, Top = 40, PlotHeight = 300, LegendLine = 18;

    public static string Render(XyChart chart)
    {
        int legendRows = (chart.Series.Count + 1) / 2;
        int height = Top + PlotHeight + 56 + legendRows * LegendLine;
        int plotW = Width - Left - Right;
        var (x0, x1) = chart.RangeX();
        var (y0, y1) = chart.RangeY();
        double X(double x) => Left + plotW * (x - x0) / (x1 - x0);
        double Y(double y) => Top + PlotHeight - PlotHeight * (Math.Clamp(chart.AxisY(y), y0, y1) - y0) / (y1 - y0);

        var sb = new StringBuilder();
        sb.Append(F($"<svg class=\"{chart.Css}\" data-chart=\"{chart.Slug}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} ") +
                  F($"{height}\" width=\"100%\" role=\"img\" aria-label=\"{E(chart.Title)}\">"));
        sb.Append(F($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{E(chart.Title)}</text>"));
        foreach (var (at, label) in chart.TicksY())
        {
            double y = Top + PlotHeight - PlotHeight * (at - y0) / (y1 - y0);
            sb.Append(F($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#e4e4e4\"/>"));
            sb.Append(F($"<text x=\"{Left - 8}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\">{E(label)}</text>"));
        }
        foreach (var (at, label) in chart.TicksX())
        {
            double x = X(at);
            sb.Append(F($"<line x1=\"{x:0.#}\" x2=\"{x:0.#}\" y1=\"{Top}\" y2=\"{Top + PlotHeight}\" stroke=\"#f0f0f0\"/>"));
            sb.Append(F($"<text x=\"{x:0.#}\" y=\"{Top + PlotHeight + 18}\" text-anchor=\"middle\" font-size=\"11\">{E(label)}</text>"));
        }
        sb.Append(F($"<text x=\"{Left + plotW / 2}\" y=\"{Top + PlotHeight + 36}\" text-anchor=\"middle\" font-size=\"12\">{E(chart.XUnit)}</text>"));
        sb.Append(F($"<text x=\"16\" y=\"{Top + PlotHeight / 2}\" font-size=\"12\" transform=\"rotate(-90 16 {Top + PlotHeight / 2})\" ") +
                  F($"text-anchor=\"middle\">{E(chart.YUnit)}{(chart.LogY ? " (log scale)" : "")}</text>"));
        sb.Append(F($"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{PlotHeight}\" fill=\"none\" stroke=\"#999\"/>"));
        // An empty frame reads as "all zero"; say there was nothing to draw instead.
        if (!chart.AllPoints.Any())
            sb.Append(F($"<text class=\"no-data\" x=\"{Left + plotW / 2}\" y=\"{Top + PlotHeight / 2}\" text-anchor=\"middle\" fill=\"#888\">no data</text>"));
        foreach (var s in chart.Series)
        {
            var points = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!chart.LogY || p.Y > 0)).ToList();
            if (points.Count == 0) continue;
            if (!s.Markers || points.Count > 1)
            {
                string d = string.Join(' ', points.Select((p, i) => F($"{(i == 0 ? 'M' : 'L')}{X(p.X):0.#},{Y(p.Y):0.#}")));
                string dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
                string width = s.Markers ? "1" : "2";
                sb.Append(F($"<path class=\"line\" d=\"{d}\" fill=\"none\" stroke=\"{s.Color}\" ") +
                          F($"stroke-width=\"{width}\"{dash}><title>{E(s.Name)}</title></path>"));
            }
            if (s.Markers)
                foreach (var p in points)
                    sb.Append(F($"<circle class=\"point\" cx=\"{X(p.X):0.#}\" cy=\"{Y(p.Y):0.#}\" r=\"3\" ") +
                              F($"fill=\"{s.Color}\"><title>{E(s.Name)}: {p.X:N0}, {p.Y:N1}</title></circle>"));
        }
        for (int i = 0; i < chart.Series.Count; i++)
        {
            var s = chart.Series[i];
            double lx = Left + (i % 2) * (plotW / 2.0), ly = Top + PlotHeight + 56 + (i / 2) * LegendLine;
            string dash = s.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            sb.Append(F($"<line x1=\"{lx:0.#}\" x2=\"{lx + 22:0.#}\" y1=\"{ly - 4:0.#}\" y2=\"{ly - 4:0.#}\" stroke=\"{s.Color}\" stroke-width=\"2\"{dash}/>"));
            sb.Append(F($"<text x=\"{lx + 28:0.#}\" y=\"{ly:0.#}\" font-size=\"12\">{E(s.Name)}</text>"));
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
