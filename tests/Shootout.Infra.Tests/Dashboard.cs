using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>One query of one dashboard panel, as Grafana would send it to Prometheus.</summary>
public sealed record PanelQuery(string Panel, string RefId, string Expr, string Resolved);

/// <summary>The provisioned Grafana dashboard: its panels and their PromQL with variables resolved.</summary>
public sealed partial class Dashboard
{
    public JsonObject Json { get; }

    private Dashboard(JsonObject json) => Json = json;

    public static Dashboard Load() => new(JsonNode.Parse(File.ReadAllText(Repo.Dashboard))!.AsObject());

    /// <summary>Every panel that shows data (rows are only headings; a collapsed row keeps its panels inside).</summary>
    public IEnumerable<JsonObject> Panels()
    {
        foreach (var node in Json["panels"]!.AsArray())
        {
            var panel = node!.AsObject();
            if ((string?)panel["type"] == "row")
            {
                foreach (var inner in panel["panels"]?.AsArray() ?? [])
                    yield return inner!.AsObject();
            }
            else
            {
                yield return panel;
            }
        }
    }

    public IReadOnlyList<PanelQuery> Queries()
    {
        var result = new List<PanelQuery>();
        foreach (var panel in Panels())
            foreach (var target in panel["targets"]?.AsArray() ?? [])
            {
                string expr = (string?)target!["expr"] ?? "";
                result.Add(new PanelQuery((string)panel["title"]!, (string?)target["refId"] ?? "?", expr, Resolve(expr)));
            }
        return result;
    }

    /// <summary>
    /// Substitutes what Grafana substitutes before querying: each template variable with "All"
    /// selected (its allValue), and the interval macros for the datasource's scrape interval
    /// (its timeInterval): $__interval at its floor, $__rate_interval = max($__interval + scrape, 4 × scrape).
    /// </summary>
    public string Resolve(string expr)
    {
        var scrape = ScrapeInterval();
        var interval = scrape;
        var rateInterval = TimeSpan.FromTicks(Math.Max((interval + scrape).Ticks, 4 * scrape.Ticks));
        string resolved = expr
            .Replace("$__rate_interval", Prom(rateInterval))
            .Replace("${__rate_interval}", Prom(rateInterval))
            .Replace("$__interval", Prom(interval))
            .Replace("${__interval}", Prom(interval))
            .Replace("$__range", "15m")
            .Replace("${__range}", "15m");
        foreach (var variable in Json["templating"]?["list"]?.AsArray() ?? [])
        {
            string name = (string)variable!["name"]!;
            string value = (string?)variable["allValue"] ?? ".*";
            resolved = Regex.Replace(resolved, $@"\$\{{{Regex.Escape(name)}(:[a-z]+)?\}}|\${Regex.Escape(name)}\b", value);
        }
        return resolved;
    }

    /// <summary>The datasource's timeInterval from its provisioning file (Grafana's default is 15 s).</summary>
    public static TimeSpan ScrapeInterval()
    {
        var m = TimeIntervalRegex().Match(File.ReadAllText(Repo.DatasourceProvisioning));
        if (!m.Success)
            return TimeSpan.FromSeconds(15);
        double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value == "ms" ? TimeSpan.FromMilliseconds(n) : TimeSpan.FromSeconds(n);
    }

    private static string Prom(TimeSpan t) =>
        t.TotalMilliseconds % 1000 == 0 ? $"{(long)t.TotalSeconds}s" : $"{(long)t.TotalMilliseconds}ms";

    [GeneratedRegex(@"timeInterval:\s*""?(\d+(?:\.\d+)?)(ms|s)""?")]
    private static partial Regex TimeIntervalRegex();
}
