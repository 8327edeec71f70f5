using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Shootout.Common.Cli;

/// <summary>
/// System.CommandLine custom parsers over <see cref="ValueSyntax"/>, with bounds, so every tool words a bad
/// value the same way: "--name must be …, got 'text'". Assign one as an option's
/// <see cref="Option{T}.CustomParser"/>; on bad input it adds the error to the parse result (the tools print
/// it on one line and exit 2) and returns the given fallback.
/// </summary>
public static class OptionParsers
{
    /// <summary>A duration from <paramref name="min"/> to <paramref name="max"/>; <paramref name="positive"/> excludes zero.</summary>
    public static TimeSpan Duration(ArgumentResult r, TimeSpan fallback, bool positive = true, TimeSpan? max = null)
    {
        string text = Token(r);
        if (ValueSyntax.TryDuration(text, out var value) && (!positive || value > TimeSpan.Zero) && (max is null || value <= max))
            return value;
        string bounds = max is { } m ? $" (up to {Describe(m)})" : "";
        string kind = positive ? "positive duration" : "duration";
        r.AddError($"{Name(r)} must be a {kind} like 10s, 500ms or 2m{bounds}, got '{text}'");
        return fallback;
    }

    /// <summary>Bytes from <paramref name="min"/> to <paramref name="max"/> ("32", "4k", "1MiB").</summary>
    public static long Size(ArgumentResult r, long fallback, long min, long max)
    {
        string text = Token(r);
        if (ValueSyntax.TrySize(text, out long value) && value >= min && value <= max)
            return value;
        r.AddError($"{Name(r)} must be a size from {min} to {max} bytes (e.g. 32, 4k, 1MiB), got '{text}'");
        return fallback;
    }

    /// <summary>A rate per second above zero, up to <paramref name="max"/> ("5000", "5000/s", "2.5k").</summary>
    public static double Rate(ArgumentResult r, double fallback, double max = 1e9)
    {
        string text = Token(r);
        if (ValueSyntax.TryRate(text, out double value) && value > 0 && value <= max)
            return value;
        r.AddError($"{Name(r)} must be a rate per second above 0 and up to {max.ToString(CultureInfo.InvariantCulture)} (e.g. 5000 or 5k/s), got '{text}'");
        return fallback;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static int Whole(ArgumentResult r, int fallback, int min, int max)
    {
        string text = Token(r);
        if (ValueSyntax.TryWhole(text, out long value) && value >= min && value <= max)
            return (int)value;
        r.AddError($"{Name(r)} must be a whole number from {min} to {max}, got '{text}'");
        return fallback;
    }

    /// <summary>A number (not necessarily whole) from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static double Number(ArgumentResult r, double fallback, double min, double max)
    {
        string text = Token(r);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
            && value >= min && value <= max)
            return value;
        string from = min.ToString(CultureInfo.InvariantCulture), to = max.ToString(CultureInfo.InvariantCulture);
        r.AddError($"{Name(r)} must be a number from {from} to {to}, got '{text}'");
        return fallback;
    }

    /// <summary>
    /// A CPU list as taskset writes it ("0-3,6"); with <paramref name="usable"/>, only of CPUs this process may use
    /// (it will put processes there). Null, with the error, otherwise.
    /// </summary>
    public static CpuSet? Cpus(ArgumentResult r, bool usable)
    {
        string text = Token(r);
        if (!CpuSet.TryParse(text, out var set) || set!.Count == 0)
        {
            r.AddError($"{Name(r)} must be a CPU list like 1 or 0-3,6, got '{text}'");
            return null;
        }
        var allowed = CpuSet.Allowed();
        if (usable && !set.IsSubsetOf(allowed))
        {
            r.AddError($"{Name(r)} {text}: this process may only use CPUs {allowed}");
            return null;
        }
        return set;
    }

    private static string Token(ArgumentResult r) => r.Tokens.Count == 0 ? "" : r.Tokens[^1].Value;

    private static string Name(ArgumentResult r) => r.Parent is OptionResult o ? o.Option.Name : r.Argument.Name;

    private static string Describe(TimeSpan t) => t.TotalHours >= 1 && t.TotalHours == Math.Floor(t.TotalHours)
        ? $"{t.TotalHours:0}h" : $"{t.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s";
}
