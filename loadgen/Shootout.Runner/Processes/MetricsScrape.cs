using System.Globalization;

namespace Shootout.Runner.Processes;

/// <summary>Reads one metric from a Prometheus text endpoint (the server's /metrics).</summary>
internal static class MetricsScrape
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(3) };

    /// <summary>The sum of every sample of <paramref name="name"/>, or null if the endpoint does not answer.</summary>
    public static async Task<double?> SumAsync(string url, string name)
    {
        string text;
        try
        {
            text = await Http.GetStringAsync(url).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
        return Sum(text, name);
    }

    public static double Sum(string text, string name)
    {
        double sum = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0 || line[0] == '#' || !line.StartsWith(name, StringComparison.Ordinal)) continue;
            var rest = line[name.Length..];
            if (rest.Length == 0 || (rest[0] != ' ' && rest[0] != '{')) continue;
            var value = rest[(rest.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) sum += v;
        }
        return sum;
    }
}
