using System.Globalization;

namespace Shootout.Runner.Bench;

/// <summary>The C client's one line of output, <c>key=value</c> pairs separated by spaces.</summary>
internal sealed class KeyValues(IReadOnlyDictionary<string, string> values)
{
    public static KeyValues Parse(string line) => new(line
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(pair => pair.Split('=', 2))
        .Where(kv => kv.Length == 2)
        .ToDictionary(kv => kv[0], kv => kv[1]));

    public double? Number(string key) =>
        values.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double n) ? n : null;

    public override string ToString() => string.Join(' ', values.Select(kv => $"{kv.Key}={kv.Value}"));
}
