using System.Globalization;
using System.Text.RegularExpressions;

namespace Shootout.Server.Tests;

/// <summary>The engines every end-to-end test runs against.</summary>
public static class Engines
{
    public static TheoryData<string> All => ["threads", "async", "epoll", "uring"];
}

/// <summary>Polls a condition until it holds or a deadline passes: no test depends on timing luck.</summary>
public static class Wait
{
    public static void Until(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}");
            Thread.Sleep(20);
        }
    }
}

/// <summary>Scrapes a server's /metrics and reads samples by name and labels.</summary>
public sealed partial class MetricsScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };
    public string Text { get; }

    private MetricsScrape(string text) => Text = text;

    /// <summary>A scrape, or null while the endpoint cannot answer (for example out of descriptors).</summary>
    public static MetricsScrape? TryFrom(ServerProcess server)
    {
        try
        {
            return From(server);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public static MetricsScrape From(ServerProcess server) =>
        new(Http.GetStringAsync($"http://127.0.0.1:{server.MetricsPort}/metrics").GetAwaiter().GetResult());

    /// <summary>The value of the sample with this name whose labels include every given label.</summary>
    public double Value(string name, params (string Key, string Value)[] labels)
    {
        foreach (Match m in SampleRegex().Matches(Text))
        {
            if (m.Groups["name"].Value != name)
                continue;
            string labelText = m.Groups["labels"].Value;
            if (labels.All(l => labelText.Contains($"{l.Key}=\"{l.Value}\"")))
                return double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        throw new KeyNotFoundException($"no sample {name}{{{string.Join(',', labels.Select(l => $"{l.Key}={l.Value}"))}}} in:\n{Text}");
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[^}]*)\})? (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex SampleRegex();
}
