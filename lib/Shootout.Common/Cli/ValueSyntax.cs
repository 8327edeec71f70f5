using System.Globalization;

namespace Shootout.Common.Cli;

/// <summary>
/// The text syntax of option values, shared by every tool's command line and the load generator's config
/// file. Pure parsing: bounds belong to each option (<see cref="OptionParsers"/>).
/// </summary>
public static class ValueSyntax
{
    private static readonly (string Unit, double Seconds)[] DurationUnits =
        [("us", 1e-6), ("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600)];

    private static readonly (string Unit, long Bytes)[] SizeUnits =
    [
        ("kib", 1L << 10), ("mib", 1L << 20), ("gib", 1L << 30),
        ("kb", 1L << 10), ("mb", 1L << 20), ("gb", 1L << 30),
        ("k", 1L << 10), ("m", 1L << 20), ("g", 1L << 30), ("b", 1),
    ];

    /// <summary>"500ms", "1.5s", "2m", "1h", "250us", a bare number of seconds, or "hh:mm:ss". Never negative.</summary>
    public static bool TryDuration(string? text, out TimeSpan value)
    {
        value = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        if (text.Contains(':'))
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        double scale = StripUnit(ref text, DurationUnits, 1.0);
        if (!TryNumber(text, out double n) || n < 0 || n * scale > TimeSpan.MaxValue.TotalSeconds / 2) return false;
        value = TimeSpan.FromSeconds(n * scale);
        return true;
    }

    /// <summary>Bytes: "32", "4k", "64KiB", "1MiB", "1g" (binary multiples). Never negative.</summary>
    public static bool TrySize(string? text, out long bytes)
    {
        bytes = 0;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        long scale = StripUnit(ref text, SizeUnits, 1L);
        if (!TryNumber(text, out double n) || n < 0 || n * scale > long.MaxValue / 2) return false;
        double whole = Math.Round(n * scale);
        if (Math.Abs(whole - n * scale) > 1e-6) return false;
        bytes = (long)whole;
        return true;
    }

    /// <summary>Per second: "5000", "5000/s", "2.5k", "2.5k/s". Never negative.</summary>
    public static bool TryRate(string? text, out double perSecond)
    {
        perSecond = 0;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text)) return false;
        if (text.EndsWith("/s", StringComparison.OrdinalIgnoreCase)) text = text[..^2];
        double scale = 1;
        if (text.EndsWith('k') || text.EndsWith('K'))
        {
            text = text[..^1];
            scale = 1000;
        }
        if (!TryNumber(text, out double n) || n < 0) return false;
        perSecond = n * scale;
        return true;
    }

    /// <summary>A whole number with an optional sign.</summary>
    public static bool TryWhole(string? text, out long value) =>
        long.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    /// <summary>The duration as every tool reads it back, in milliseconds so nothing is rounded away.</summary>
    public static string FormatDuration(TimeSpan t) => $"{(long)Math.Round(t.TotalMilliseconds)}ms";

    /// <summary>Cuts the first matching unit off <paramref name="text"/> and returns its scale (none: <paramref name="none"/>).</summary>
    private static T StripUnit<T>(ref string text, (string Unit, T Scale)[] units, T none)
    {
        foreach (var (unit, scale) in units)
        {
            if (!text.EndsWith(unit, StringComparison.OrdinalIgnoreCase)) continue;
            text = text[..^unit.Length];
            return scale;
        }
        return none;
    }

    private static bool TryNumber(string text, out double n) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out n)
        && double.IsFinite(n);
}
