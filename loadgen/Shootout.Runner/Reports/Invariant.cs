using System.Globalization;
using System.Net;

namespace Shootout.Runner.Reports;

/// <summary>
/// The two text helpers every report writer uses (<c>using static</c>): figures formatted the same on any
/// machine's culture, and text made safe for HTML and SVG.
/// </summary>
internal static class Invariant
{
    /// <summary>The interpolated text with invariant-culture numbers and dates (1,234.5 everywhere).</summary>
    public static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>HTML-encoded, for report.html and the inline SVG charts.</summary>
    public static string E(string s) => WebUtility.HtmlEncode(s);
}
