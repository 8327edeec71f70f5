using System.Globalization;
using System.Text.Json;
using Shootout.Common.Cli;
using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen.Cli;

/// <summary>
/// Reading a JSON config file and its fields, for every scenario's config (<see cref="ConfigFile"/> and the
/// neighbours command's <see cref="NeighboursSettings"/>): comments and trailing commas allowed, and every error names its file or field.
/// </summary>
internal static class ConfigFields
{
    /// <summary>The file parsed; a file that cannot be read or is not JSON is a usage error naming it.</summary>
    public static JsonDocument Read(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--config: cannot read '{path}': {e.Message}");
        }
        try { return JsonDocument.Parse(text, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new UsageException($"--config: '{path}' is not valid JSON (line {e.LineNumber + 1}): {e.Message.Split('.')[0]}");
        }
    }

    public static UsageException Field(string field, string problem) => new($"config field '{field}': {problem}");

    public static string Str(JsonElement v, string f) =>
        v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Field(f, "must be a string");

    /// <summary>A string, or an array of strings joined with commas (as the command line takes them).</summary>
    public static string StrOrList(JsonElement v, string f) =>
        v.ValueKind == JsonValueKind.Array ? string.Join(',', v.EnumerateArray().Select((e, i) => Str(e, $"{f}[{i}]"))) : Str(v, f);

    public static bool Bool(JsonElement v, string f) =>
        v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : throw Field(f, "must be true or false");

    /// <summary>A whole number; with <paramref name="min"/> (and <paramref name="max"/>), within them.</summary>
    public static int Int(JsonElement v, string f, int min = int.MinValue, int max = int.MaxValue)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int n)) throw Field(f, "must be a whole number");
        if (n < min || n > max) throw Field(f, max == int.MaxValue ? $"must be at least {min} (got {n})" : $"must be between {min} and {max} (got {n})");
        return n;
    }

    public static double Num(JsonElement v, string f, double min)
    {
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double n) || !double.IsFinite(n)) throw Field(f, "must be a number");
        if (n < min) throw Field(f, $"must be at least {min.ToString(CultureInfo.InvariantCulture)} (got {n.ToString(CultureInfo.InvariantCulture)})");
        return n;
    }

    /// <summary>Seconds as a number, or a duration string ("10s", "500ms", "00:00:10").</summary>
    public static TimeSpan Dur(JsonElement v, string f)
    {
        if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out double seconds) && seconds >= 0) return TimeSpan.FromSeconds(seconds);
        if (v.ValueKind == JsonValueKind.String && ValueSyntax.TryDuration(v.GetString()!, out var d)) return d;
        throw Field(f, "must be a duration such as \"10s\", \"500ms\" or \"00:00:10\"");
    }

    /// <summary>Bytes as a number, or a size string ("64KiB").</summary>
    public static long Size(JsonElement v, string f) => v.ValueKind switch
    {
        JsonValueKind.Number when v.TryGetInt64(out long n) && n >= 0 => n,
        JsonValueKind.String when ValueSyntax.TrySize(v.GetString(), out long n) => n,
        _ => throw Field(f, "must be a size such as 65536 or \"64KiB\""),
    };
}
