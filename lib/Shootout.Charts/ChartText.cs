using System.Globalization;
using System.Net;

namespace Shootout.Charts;

/// <summary>How a chart writes a figure and a label: short numbers, the same on any machine's culture, and text made safe for SVG.</summary>
public static class ChartText
{
    /// <summary>Tick and bar labels: short, whole numbers (12.5k, 3M).</summary>
    public static string Short(double v) => v switch
    {
        < 0 => "-" + Short(-v),
        >= 1e6 => (v / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    internal static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    internal static string E(string s) => WebUtility.HtmlEncode(s);
}
