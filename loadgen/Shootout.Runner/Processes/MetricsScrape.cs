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

    /// <summary>The endpoint's text, or null if it does not answer.</summary>
    public static async Task<string?> TextAsync(string url)
    {
        try
        {
            return await Http.GetStringAsync(url).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Samples of <paramref name="name"/> summed per value of <paramref name="label"/>.</summary>
    public static Dictionary<string, double> SumBy(string text, string name, string label)
    {
        var result = new Dictionary<string, double>();
        string key = label + "=\"";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (!line.StartsWith(name + "{", StringComparison.Ordinal)) continue;
            int at = line.IndexOf(key, StringComparison.Ordinal);
            if (at < 0) continue;
            int start = at + key.Length, end = line.IndexOf('"', start);
            if (end < 0) continue;
            var value = line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v)) continue;
            string which = line[start..end];
            result[which] = result.GetValueOrDefault(which) + v;
        }
        return result;
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
