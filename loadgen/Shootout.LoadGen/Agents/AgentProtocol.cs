using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HdrHistogram;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Agents;

/// <summary>
/// How the coordinator and its agent processes talk: the plans (one per scenario) go down as one base64 JSON argument; the
/// agent answers "ready" on stdout, waits for "go" on stdin (so all agents start their clocks together),
/// then writes one JSON tick per line, the last one final.
/// </summary>
internal static class AgentProtocol
{
    public const string Ready = "ready";
    public const string Go = "go";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(), new HistogramConverter() },
    };

    /// <summary>Every scenario's plan, this agent's share of each.</summary>
    public static string EncodePlans(IReadOnlyList<LoadPlan> plans) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(plans, Json)));

    public static IReadOnlyList<LoadPlan> DecodePlans(string base64) =>
        JsonSerializer.Deserialize<LoadPlan[]>(Encoding.UTF8.GetString(Convert.FromBase64String(base64)), Json) is { Length: > 0 } plans
            ? plans : throw new FormatException("empty plan");

    public static string EncodeTick(Tick tick) => JsonSerializer.Serialize(tick, Json);

    public static Tick DecodeTick(string line) =>
        JsonSerializer.Deserialize<Tick>(line, Json) ?? throw new FormatException("empty tick");

    /// <summary>A tick's histograms travel as strings: <see cref="Histograms.Encode"/>'s compressed base64,
    /// which the coordinator decodes and merges.</summary>
    private sealed class HistogramConverter : JsonConverter<HistogramBase>
    {
        public override HistogramBase Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Histograms.Decode(reader.GetString() ?? "");

        public override void Write(Utf8JsonWriter writer, HistogramBase value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Histograms.Encode(value));
    }
}
