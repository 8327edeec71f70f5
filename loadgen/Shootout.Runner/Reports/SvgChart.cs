using System.Text;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>
/// A bar chart (grouped, or stacked) as inline SVG: no script, no external files, drawn by any browser. No
/// two labels overlap: the chart grows wider with its categories, a row's name and its kind ("(reference)")
/// go on two lines, a bar too narrow for its figure leaves it to the tooltip, the legend wraps, and the
/// reference lines' labels sit in the right margin, moved apart when their values are close.
/// </summary>
internal static class SvgChart
{
    private const int MinWidth = 960, PlotHeight = 220, Left = 70, Top = 40, Labels = 44, MinGroup = 96, LineHeight = 13;
    private const double LegendLine = LineHeight * 1.3;
    /// <summary>Average advance of a character at font size 1 in a sans-serif face: enough to size labels without a font.</summary>
    private const double CharWidth = 0.6;

    public static string Render(Chart chart)
    {
        var sb = new StringBuilder();
        var (low, high) = Charts.Range(chart);
        int right = chart.ReferenceLines.Count == 0 ? 20 : 20 + (int)Math.Ceiling(chart.ReferenceLines.Max(l => TextWidth(l.Label, 11)));
        int width = Math.Max(MinWidth, Left + right + MinGroup * chart.Categories.Count);
        int legendRows = chart.Series.Count > 1 ? LegendRows(chart, width) : 0;
        int height = Top + PlotHeight + Labels + (int)Math.Ceiling(LegendLine * legendRows) + 8;
        int plotW = width - Left - right, plotH = PlotHeight;
        double groupW = (double)plotW / Math.Max(1, chart.Categories.Count);
        int barsPerGroup = chart.Stacked ? 1 : Math.Max(1, chart.Series.Count);
        double barW = groupW * 0.8 / barsPerGroup;
        double Y(double v) => Top + plotH - Math.Clamp(plotH * (Charts.Axis(chart, v) - low) / (high - low), 0, plotH);

        sb.Append(F($"<svg class=\"chart\" data-chart=\"{chart.Slug}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" ") +
                  F($"width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{E(chart.Title)}\">"));
        sb.Append(F($"<text x=\"{width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{E(chart.Title)}</text>"));
        int ticks = chart.LogScale ? (int)(high - low) : 4;
        for (int i = 0; i <= ticks; i++)
        {
            double a = low + (high - low) * i / ticks, y = Top + plotH - plotH * i / (double)ticks;
            double v = chart.LogScale ? Math.Pow(10, a) : a;
            sb.Append(F($"<line x1=\"{Left}\" x2=\"{Left + plotW}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
            sb.Append(F($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\">{ChartText.Short(v)}</text>"));
        }
        sb.Append(F($"<text x=\"14\" y=\"{Top + plotH / 2}\" font-size=\"11\" transform=\"rotate(-90 14 {Top + plotH / 2})\" ") +
                  F($"text-anchor=\"middle\">{E(chart.Unit)}{(chart.LogScale ? " (log scale)" : "")}</text>"));
        for (int c = 0; c < chart.Categories.Count; c++)
        {
            double gx = Left + groupW * c + groupW * 0.1, stackTop = 0;
            for (int s = 0; s < chart.Series.Count; s++)
            {
                if (chart.Series[s].Values[c] is not { } v) continue;
                double x = chart.Stacked ? gx : gx + barW * s;
                double from = chart.Stacked ? stackTop : (chart.LogScale ? Math.Pow(10, low) : 0);
                double to = chart.Stacked ? stackTop + Math.Max(0, v) : v;
                double yTop = Y(to), yBottom = chart.Stacked ? Y(from) : Top + plotH;
                sb.Append(F($"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{yTop:0.#}\" width=\"{barW * 0.95:0.#}\" height=\"{Math.Max(0, yBottom - yTop):0.#}\" ") +
                          F($"fill=\"{Charts.Palette[s % Charts.Palette.Length]}\"><title>{E(chart.Series[s].Name)} {E(chart.Categories[c])}: ") +
                          F($"{v:N2} {E(chart.Unit)}</title></rect>"));
                if (chart.Stacked)
                {
                    stackTop = to;
                    continue;
                }
                if (TextWidth(ChartText.Short(v), 10) <= barW)
                    sb.Append(F($"<text x=\"{x + barW * 0.475:0.#}\" y=\"{yTop - 3:0.#}\" text-anchor=\"middle\" font-size=\"10\">") +
                              F($"{ChartText.Short(v)}</text>"));
            }
            if (chart.Stacked && stackTop > 0)
                sb.Append(F($"<text x=\"{gx + barW * 0.475:0.#}\" y=\"{Y(stackTop) - 3:0.#}\" text-anchor=\"middle\" font-size=\"10\">") +
                          F($"{ChartText.Short(stackTop)}</text>"));
            CategoryLabel(sb, chart.Categories[c], Left + groupW * (c + 0.5), Top + plotH + 16, groupW);
        }
        sb.Append(F($"<line x1=\"{Left}\" x2=\"{Left + plotW}\" y1=\"{Top + plotH}\" y2=\"{Top + plotH}\" stroke=\"#333\"/>"));
        ReferenceLines(sb, chart, Y, Left + plotW);
        if (legendRows > 0) Legend(sb, chart, width, Top + plotH + Labels);
        sb.Append("</svg>");
        return sb.ToString();
    }

    /// <summary>"rust (reference)" as "rust" over "(reference)", each line cut to the group's width.</summary>
    private static void CategoryLabel(StringBuilder sb, string label, double x, double y, double groupW)
    {
        int paren = label.IndexOf(" (", StringComparison.Ordinal);
        var lines = paren > 0 ? new[] { label[..paren], label[(paren + 1)..] } : [label];
        sb.Append(F($"<text class=\"category\" x=\"{x:0.#}\" y=\"{y}\" text-anchor=\"middle\" font-size=\"12\">"));
        for (int i = 0; i < lines.Length; i++)
        {
            int fontSize = i == 0 ? 12 : 10;
            string text = Fit(lines[i], fontSize, groupW * 0.95);
            sb.Append(F($"<tspan x=\"{x:0.#}\" dy=\"{(i == 0 ? 0 : LineHeight)}\" font-size=\"{fontSize}\">{E(text)}</tspan>"));
        }
        sb.Append("<title>").Append(E(label)).Append("</title></text>");
    }

    /// <summary>Dashed lines for figures quoted from elsewhere, labelled in the right margin, at least a line apart.</summary>
    private static void ReferenceLines(StringBuilder sb, Chart chart, Func<double, double> y, double plotRight)
    {
        double lastLabelY = double.NegativeInfinity;
        foreach (var (label, value) in chart.ReferenceLines.OrderByDescending(l => l.Value))
        {
            double ly = y(value);
            sb.Append(F($"<line class=\"reference\" x1=\"{Left}\" x2=\"{plotRight:0.#}\" y1=\"{ly:0.#}\" y2=\"{ly:0.#}\" stroke=\"#777\" ") +
                      F($"stroke-dasharray=\"6 4\"><title>{E(label)}</title></line>"));
            double textY = Math.Max(ly + 4, lastLabelY + LineHeight + 1);
            lastLabelY = textY;
            sb.Append(F($"<text x=\"{plotRight + 6:0.#}\" y=\"{textY:0.#}\" font-size=\"11\" fill=\"#555\">{E(label)}</text>"));
        }
    }

    /// <summary>One swatch and name per series, from <paramref name="top"/>, wrapping onto a new line before the chart's edge.</summary>
    private static void Legend(StringBuilder sb, Chart chart, int width, double top)
    {
        double lx = Left, ly = top;
        foreach (var (name, color, w) in LegendEntries(chart))
        {
            if (lx + w > width - 10 && lx > Left) { ly += LegendLine; lx = Left; }
            sb.Append(F($"<rect x=\"{lx:0.#}\" y=\"{ly:0.#}\" width=\"12\" height=\"12\" fill=\"{color}\"/>"));
            sb.Append(F($"<text class=\"legend\" x=\"{lx + 16:0.#}\" y=\"{ly + 10:0.#}\" font-size=\"12\">{E(name)}</text>"));
            lx += w;
        }
    }

    private static int LegendRows(Chart chart, int width)
    {
        double lx = Left;
        int rows = 1;
        foreach (var (_, _, w) in LegendEntries(chart))
        {
            if (lx + w > width - 10 && lx > Left) { rows++; lx = Left; }
            lx += w;
        }
        return rows;
    }

    private static IEnumerable<(string Name, string Color, double Width)> LegendEntries(Chart chart) =>
        chart.Series.Select((s, i) => (s.Name, Charts.Palette[i % Charts.Palette.Length], 24 + TextWidth(s.Name, 12)));

    public static double TextWidth(string text, double fontSize) => text.Length * fontSize * CharWidth;

    /// <summary>The text, cut with an ellipsis to fit <paramref name="width"/> (the whole of it stays in the tooltip).</summary>
    private static string Fit(string text, double fontSize, double width)
    {
        if (TextWidth(text, fontSize) <= width) return text;
        int chars = Math.Max(1, (int)(width / (fontSize * CharWidth)) - 1);
        return text[..Math.Min(chars, text.Length)] + "…";
    }
}
