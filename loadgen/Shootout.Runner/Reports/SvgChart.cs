using System.Text;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Reports;

/// <summary>A grouped bar chart as inline SVG: no script, no external files, drawn by any browser.</summary>
internal static class SvgChart
{
    private const int Width = 640, Height = 320, Left = 70, Right = 20, Top = 40, Bottom = 60;

    public static string Render(Chart chart)
    {
        var sb = new StringBuilder();
        var (low, high) = Charts.Range(chart);
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double groupW = (double)plotW / Math.Max(1, chart.Categories.Count);
        double barW = groupW * 0.8 / Math.Max(1, chart.Series.Count);

        sb.Append(F($"<svg class=\"chart\" data-chart=\"{chart.Slug}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" ") +
                  F($"width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{E(chart.Title)}\">"));
        sb.Append(F($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{E(chart.Title)}</text>"));
        int ticks = chart.LogScale ? (int)(high - low) : 4;
        for (int i = 0; i <= ticks; i++)
        {
            double a = low + (high - low) * i / ticks, y = Top + plotH - plotH * i / (double)ticks;
            double v = chart.LogScale ? Math.Pow(10, a) : a;
            sb.Append(F($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
            sb.Append(F($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\">{Charts.Short(v)}</text>"));
        }
        sb.Append(F($"<text x=\"14\" y=\"{Top + plotH / 2}\" font-size=\"11\" transform=\"rotate(-90 14 {Top + plotH / 2})\" ") +
                  F($"text-anchor=\"middle\">{E(chart.Unit)}{(chart.LogScale ? " (log scale)" : "")}</text>"));
        for (int c = 0; c < chart.Categories.Count; c++)
        {
            double gx = Left + groupW * c + groupW * 0.1;
            for (int s = 0; s < chart.Series.Count; s++)
            {
                if (chart.Series[s].Values[c] is not { } v) continue;
                double h = Math.Clamp(plotH * (Charts.Axis(chart, v) - low) / (high - low), 0, plotH), x = gx + barW * s, y = Top + plotH - h;
                sb.Append(F($"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{barW * 0.95:0.#}\" height=\"{h:0.#}\" ") +
                          F($"fill=\"{Charts.Palette[s % Charts.Palette.Length]}\"><title>{E(chart.Series[s].Name)} {E(chart.Categories[c])}: ") +
                          F($"{v:N0} {E(chart.Unit)}</title></rect>"));
                sb.Append(F($"<text x=\"{x + barW * 0.475:0.#}\" y=\"{y - 3:0.#}\" text-anchor=\"middle\" font-size=\"10\">{Charts.Short(v)}</text>"));
            }
            sb.Append(F($"<text x=\"{Left + groupW * (c + 0.5):0.#}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\" ") +
                      F($"font-size=\"12\">{E(chart.Categories[c])}</text>"));
        }
        sb.Append(F($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Top + plotH}\" y2=\"{Top + plotH}\" stroke=\"#333\"/>"));
        if (chart.Series.Count > 1)
        {
            double lx = Left;
            for (int s = 0; s < chart.Series.Count; s++)
            {
                sb.Append(F($"<rect x=\"{lx:0.#}\" y=\"{Height - 22}\" width=\"12\" height=\"12\" fill=\"{Charts.Palette[s % Charts.Palette.Length]}\"/>"));
                sb.Append(F($"<text x=\"{lx + 16:0.#}\" y=\"{Height - 12}\" font-size=\"12\">{E(chart.Series[s].Name)}</text>"));
                lx += 24 + 7 * chart.Series[s].Name.Length;
            }
        }
        sb.Append("</svg>");
        return sb.ToString();
    }
}
