using System.Globalization;
using HdrHistogram;

namespace Shootout.LoadGen.Thresholds;

/// <summary>What a threshold can name, its unit, and how to read it off the run's figures.</summary>
internal sealed record ThresholdMetric(string Name, string Unit, string Units, Func<double, string, double?> Scale,
    Func<RunFigures, double?> Observe)
{
    private static readonly string[] Histograms = ["", "connect_", "first_byte_", "send_lag_"];

    public static string Names =>
        "p50…p99.99, min, mean, max of message latency; the same with connect_, first_byte_ or send_lag_ in front; "
        + "errors, rate, rps, connections";

    /// <summary>The metric named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static ThresholdMetric? Find(string name)
    {
        name = name.ToLowerInvariant();
        switch (name)
        {
            case "errors":
                return new("errors", "%", "% of requests, or a bare count", (n, u) => u == "%" ? n : null, f => f.ErrorPercent);
            case "rate":
                return new("rate", "%", "% of the requested rate", (n, u) => u == "%" ? n : null, f => f.RatePercent);
            case "rps":
                return new("rps", "/s", "a bare number of messages per second", (n, u) => u is "" or "/s" ? n : null, f => f.Rps);
            case "connections":
                return new("connections", "", "a bare count", (n, u) => u == "" ? n : null, f => f.Established);
        }
        foreach (var prefix in Histograms.Reverse())
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            string stat = name[prefix.Length..];
            if (prefix == "" && stat.StartsWith("latency_", StringComparison.Ordinal)) stat = stat["latency_".Length..];
            Func<HistogramBase, double>? read = Stat(stat);
            if (read is null) return null;
            string p = prefix;
            return new(name, "us", "us, ms or s", TimeScale, f => f.Histogram(p) is { TotalCount: > 0 } h ? read(h) : null);
        }
        return null;
    }

    private static Func<HistogramBase, double>? Stat(string stat)
    {
        switch (stat)
        {
            case "min": return h => h.RecordedValues().First().ValueIteratedTo;
            case "mean": return h => h.GetMean();
            case "max": return h => h.GetMaxValue();
        }
        if (stat.Length < 2 || stat[0] != 'p') return null;
        string digits = stat[1..];
        // p999 and p9999 read as 99.9 and 99.99, as summary.json names them.
        if (!digits.Contains('.') && digits.Length > 2 && digits.All(c => c == '9')) digits = "99." + digits[2..];
        if (!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double pct) || pct is <= 0 or > 100)
            return null;
        return h => h.GetValueAtPercentile(pct);
    }

    private static double? TimeScale(double n, string unit) => unit switch
    {
        "us" or "µs" => n,
        "ms" => n * 1_000,
        "s" => n * 1_000_000,
        _ => null,
    };

    /// <summary><c>errors</c> with a bare number: a count of failed requests rather than a share.</summary>
    public static readonly ThresholdMetric ErrorCount =
        new("errors", "", "a bare count", (n, u) => u == "" ? n : null, f => f.ErrorCount);
}
