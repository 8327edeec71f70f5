using System.Globalization;
using System.Text.RegularExpressions;

namespace Shootout.TestSupport;

/// <summary>One scrape of a Prometheus /metrics endpoint on loopback, read by sample name and labels.</summary>
public sealed partial class MetricsScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    public string Text { get; }

    private MetricsScrape(string text) => Text = text;

    public static MetricsScrape From(int port) =>
        new(Http.GetStringAsync($"http://127.0.0.1:{port}/metrics").GetAwaiter().GetResult());

    /// <summary>A scrape, or null while the endpoint cannot answer (not up yet, or out of descriptors).</summary>
    public static MetricsScrape? TryFrom(int port)
    {
        try
        {
            return From(port);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>The value of the sample with this name whose labels include every given label.</summary>
    public double Value(string name, params (string Key, string Value)[] labels) =>
        ValueOrNull(name, labels)
        ?? throw new KeyNotFoundException($"no sample {name}{{{string.Join(',', labels.Select(l => $"{l.Key}={l.Value}"))}}} in:\n{Text}");

    /// <summary>The same, or null when there is no such sample (yet).</summary>
    public double? ValueOrNull(string name, params (string Key, string Value)[] labels)
    {
        foreach (Match m in SampleRegex().Matches(Text))
        {
            if (m.Groups["name"].Value != name)
                continue;
            string labelText = m.Groups["labels"].Value;
            if (labels.All(l => labelText.Contains($"{l.Key}=\"{l.Value}\"")))
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return null;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex SampleRegex();
}
