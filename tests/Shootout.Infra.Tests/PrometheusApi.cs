using System.Globalization;
using System.Text.Json.Nodes;

namespace Shootout.Infra.Tests;

/// <summary>What one instant query returned: how many series, how many of them with a finite value.</summary>
public sealed record QueryOutcome(int Series, int Finite, string? Error, string? Sample = null)
{
    public bool HasData => Finite > 0;

    public override string ToString() =>
        Error is not null ? $"error: {Error}" : Series == 0 ? "empty result" : $"{Series} series, none with a finite value";
}

/// <summary>A recording rule as the running Prometheus loaded it, with its last evaluation's health.</summary>
public sealed record LoadedRule(string Group, string Record, string Query, string Health, string? LastError);

/// <summary>Prometheus's HTTP API (/api/v1/query, /api/v1/rules).</summary>
public sealed class PrometheusApi(string baseUrl)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string BaseUrl { get; } = baseUrl;

    public bool IsReady()
    {
        try { return Http.GetAsync($"{BaseUrl}/-/ready").GetAwaiter().GetResult().IsSuccessStatusCode; }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    public QueryOutcome Query(string expr)
    {
        try
        {
            using var response = Http.GetAsync($"{BaseUrl}/api/v1/query?query={Uri.EscapeDataString(expr)}").GetAwaiter().GetResult();
            var body = JsonNode.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult())!;
            if ((string?)body["status"] != "success")
                return new QueryOutcome(0, 0, $"{body["errorType"]}: {body["error"]}");
            var data = body["data"]!;
            var samples = (string?)data["resultType"] switch
            {
                "vector" => data["result"]!.AsArray().Select(r => (Labels: r!["metric"]!.ToJsonString(), Value: (string)r["value"]![1]!)).ToList(),
                "scalar" => [("{}", (string)data["result"]![1]!)],
                var other => throw new InvalidOperationException($"unexpected result type {other}"),
            };
            var finite = samples.Where(s => double.TryParse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d)).ToList();
            return new QueryOutcome(samples.Count, finite.Count, null, finite.Select(s => $"{s.Labels} {s.Value}").FirstOrDefault());
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException)
        {
            return new QueryOutcome(0, 0, e.Message);
        }
    }

    public IReadOnlyList<LoadedRule> RecordingRules()
    {
        var body = JsonNode.Parse(Http.GetStringAsync($"{BaseUrl}/api/v1/rules?type=record").GetAwaiter().GetResult())!;
        var rules = new List<LoadedRule>();
        foreach (var group in body["data"]!["groups"]!.AsArray())
            foreach (var rule in group!["rules"]!.AsArray())
                rules.Add(new LoadedRule((string)group["name"]!, (string)rule!["name"]!, (string)rule["query"]!,
                    (string?)rule["health"] ?? "?", (string?)rule["lastError"]));
        return rules;
    }
}
