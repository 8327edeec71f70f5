using System.Globalization;
using System.Net;
using System.Text;

namespace Shootout.LoadGen.Reports;

internal sealed record Series(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);

/// <summary>Line charts as inline SVG, drawn here rather than in the browser so the report needs no script
/// and no network to show them.</summary>
internal static class SvgChart
{
    private const int Width = 860, Height = 320, Left = 70, Right = 20, Top = 30, Bottom = 45;

    public static string Line(string id, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        bool logX = false, bool logY = false, Func<double, string>? xFormat = null)
    {
        var all = series.SelectMany(s => s.Points).Where(p => Valid(p, logX, logY)).ToList();
        var sb = new StringBuilder();
        sb.Append($"<figure class=\"chart\" id=\"{id}\"><figcaption>{Esc(title)}</figcaption>");
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" ");
        sb.Append($"role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append($"<rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"#fff\"/>");
        if (all.Count == 0)
        {
            sb.Append($"<text x=\"{Width / 2}\" y=\"{Height / 2}\" text-anchor=\"middle\" fill=\"#888\">no data</text></svg></figure>");
            return sb.ToString();
        }
        double Tx(double x) => logX ? Math.Log10(x) : x;
        double Ty(double y) => logY ? Math.Log10(y) : y;
        double x0 = all.Min(p => Tx(p.X)), x1 = all.Max(p => Tx(p.X));
        double y0 = logY ? Math.Floor(all.Min(p => Ty(p.Y))) : 0, y1 = logY ? Math.Ceiling(all.Max(p => Ty(p.Y))) : all.Max(p => p.Y) * 1.1;
        if (x1 <= x0) x1 = x0 + 1;
        if (y1 <= y0) y1 = y0 + 1;
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Px(double x) => Left + (Tx(x) - x0) / (x1 - x0) * plotW;
        double Py(double y) => Top + plotH - (Ty(y) - y0) / (y1 - y0) * plotH;

        // Axes and grid.
        sb.Append($"<g stroke=\"#ccc\" stroke-width=\"1\"><line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Left + plotW}\" y2=\"{Top + plotH}\"/>");
        sb.Append($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\"/></g>");
        sb.Append("<g font-size=\"11\" fill=\"#444\" font-family=\"sans-serif\">");
        foreach (double yt in Ticks(y0, y1, logY))
        {
            double yv = logY ? Math.Pow(10, yt) : yt;
            double py = Py(yv);
            sb.Append($"<line x1=\"{Left}\" y1=\"{N(py)}\" x2=\"{Left + plotW}\" y2=\"{N(py)}\" stroke=\"#eee\"/>");
            sb.Append($"<text x=\"{Left - 6}\" y=\"{N(py + 4)}\" text-anchor=\"end\">{Esc(Short(yv))}</text>");
        }
        foreach (double xt in Ticks(x0, x1, logX))
        {
            double xv = logX ? Math.Pow(10, xt) : xt;
            double px = Px(xv);
            sb.Append($"<text x=\"{N(px)}\" y=\"{Top + plotH + 16}\" text-anchor=\"middle\">{Esc(xFormat?.Invoke(xv) ?? Short(xv))}</text>");
        }
        sb.Append($"<text x=\"{Left + plotW / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Esc(xLabel)}</text>");
        sb.Append($"<text x=\"14\" y=\"{Top + plotH / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {Top + plotH / 2})\">{Esc(yLabel)}</text>");
        sb.Append("</g>");

        int legendX = Left + 10;
        foreach (var s in series)
        {
            var pts = s.Points.Where(p => Valid(p, logX, logY)).ToList();
            if (pts.Count > 0)
            {
                var path = string.Join(" ", pts.Select((p, i) => $"{(i == 0 ? 'M' : 'L')}{N(Px(p.X))},{N(Py(p.Y))}"));
                sb.Append($"<path class=\"series\" d=\"{path}\" fill=\"none\" stroke=\"{s.Color}\" stroke-width=\"1.8\"/>");
                if (pts.Count == 1)
                    sb.Append($"<circle cx=\"{N(Px(pts[0].X))}\" cy=\"{N(Py(pts[0].Y))}\" r=\"3\" fill=\"{s.Color}\"/>");
            }
            sb.Append($"<rect x=\"{legendX}\" y=\"8\" width=\"12\" height=\"4\" fill=\"{s.Color}\"/>");
            sb.Append($"<text x=\"{legendX + 16}\" y=\"14\" font-size=\"11\" font-family=\"sans-serif\">{Esc(s.Name)}</text>");
            legendX += 24 + s.Name.Length * 7;
        }
        sb.Append("</svg></figure>");
        return sb.ToString();
    }

    private static bool Valid((double X, double Y) p, bool logX, bool logY) =>
        double.IsFinite(p.X) && double.IsFinite(p.Y) && (!logX || p.X > 0) && (!logY || p.Y > 0);

    private static IEnumerable<double> Ticks(double lo, double hi, bool log)
    {
        if (log)
        {
            for (double v = Math.Ceiling(lo); v <= hi + 1e-9; v++) yield return v;
            yield break;
        }
        double step = Nice((hi - lo) / 5);
        for (double v = Math.Ceiling(lo / step) * step; v <= hi + 1e-9; v += step) yield return v;
    }

    private static double Nice(double raw)
    {
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / mag;
        return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
    }

    public static string Short(double v) => Math.Abs(v) switch
    {
        >= 1e9 => (v / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "G",
        >= 1e6 => (v / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
