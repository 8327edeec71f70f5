using System.Text.Json;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Thresholds;
using static Shootout.LoadGen.Cli.ConfigFields;

namespace Shootout.LoadGen.Cli;

/// <summary>
/// Reads a JSON config file. Load simulations use NBomber's names and accept NBomber's array form
/// (<c>{"Inject": [100, "00:00:01", "00:00:30"]}</c>, <c>{"Pause": "00:00:05"}</c>) or named fields
/// (<c>{"Inject": {"rate": 100, "interval": "1s", "during": "30s"}}</c>). Every error names its field.
/// </summary>
internal static class ConfigFile
{
    public static Settings Load(string path)
    {
        using var doc = ConfigFields.Read(path);
        return Parse(doc.RootElement);
    }

    public static Settings Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object) throw Field("(root)", "must be a JSON object");
        var s = new Settings();
        foreach (var p in root.EnumerateObject())
        {
            string f = p.Name;
            var v = p.Value;
            s = NormaliseKey(f) switch
            {
                "scenario" or "kind" => s with { Scenario = Str(v, f) },
                "name" => s with { Name = Str(v, f) },
                "scenarios" => s with { Scenarios = ScenarioList(v, f) },
                "probeinterval" => s with { ProbeInterval = Dur(v, f) },
                "probesize" => s with { ProbeSize = SizeInt(v, f) },
                "window" => s with { Window = SizeInt(v, f) },
                "nice" => s with { Nice = Int(v, f, -20, 19) },
                "process" => s with { Process = Str(v, f) is "own" or "shared" ? Str(v, f) : throw Field(f, $"'{Str(v, f)}' is not 'own' or 'shared'") },
                "target" => s with { Target = StrOrList(v, f) },
                "connections" => s with { Connections = Int(v, f, 1) },
                "connectrate" => s with { ConnectRate = Num(v, f, 0.001) },
                "rate" => s with { Rate = Num(v, f, 0.001) },
                "duration" => s with { Duration = Dur(v, f) },
                "messagesize" => s with { MessageSize = SizeInt(v, f) },
                "closed" => s with { Closed = Bool(v, f) },
                "heartbeat" => s with { Heartbeat = Dur(v, f) },
                "connecttimeout" => s with { ConnectTimeout = Dur(v, f) },
                "messagetimeout" => s with { MessageTimeout = Dur(v, f) },
                "destaddresses" => s with { DestAddresses = Int(v, f, 1, 65536) },
                "allowremote" => s with { AllowRemote = Bool(v, f) },
                "reportdir" => s with { ReportDir = Str(v, f) },
                "metricsport" => s with { MetricsPort = Int(v, f, 0, 65535) },
                "agents" => s with { Agents = v.ValueKind == JsonValueKind.Number ? v.GetRawText() : Str(v, f) },
                "loadsimulations" or "loadsimulationssettings" => s with { Phases = Phases(v, f) },
                "thresholds" => s with { Thresholds = ThresholdList(v, f) },
                "abortonfail" => s with { AbortOnFail = Bool(v, f) },
                "abortdelay" or "delayaborteval" => s with { AbortDelay = Dur(v, f) },
                "sourceaddresses" => s with { SourceAddresses = StrOrList(v, f) },
                "samples" => s with { Samples = Str(v, f) },
                "sampleslimit" => s with { SamplesLimit = Int(v, f, 1) },
                _ => throw Field(f, "unknown field"),
            };
        }
        return s;
    }

    /// <summary>"scenarios": [{"name": "idle", "kind": "hold", …}, …]: each entry is read as a config of its own
    /// (fields in the same names), named, and laid over the run's fields when the plan is built.</summary>
    private static List<Settings> ScenarioList(JsonElement v, string field)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Field(field, "must be an array of scenarios ({\"name\": …, \"kind\": …})");
        var list = new List<Settings>();
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            string at = $"{field}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object) throw Field(at, "must be an object with name and kind");
            foreach (var p in item.EnumerateObject())
            {
                if (NormaliseKey(p.Name) is "scenarios" or "thresholds" or "reportdir" or "metricsport" or "agents" or "samples"
                    or "sampleslimit" or "abortonfail" or "abortdelay" or "delayaborteval" or "replicaindex" or "replicacount")
                    throw Field($"{at}.{p.Name}", "belongs to the whole run, not to one scenario");
            }
            Settings scenario;
            try { scenario = Parse(item); }
            catch (UsageException e) when (e.Message.StartsWith("config field '", StringComparison.Ordinal))
            {
                throw new UsageException(e.Message.Replace("config field '", $"config field '{at}.", StringComparison.Ordinal));
            }
            if (scenario.Name is not { Length: > 0 } name) throw Field($"{at}.name", "is required");
            if (name.Contains('.') || name.Any(char.IsWhiteSpace))
                throw Field($"{at}.name", $"'{name}' may hold neither dots nor spaces (thresholds name it: {name}.p99<10ms)");
            if (list.Any(s => s.Name == name)) throw Field($"{at}.name", $"'{name}' names two scenarios");
            if (scenario.Scenario is null) throw Field($"{at}.kind", "is required (hold, echo, echo-closed, probe, flood, never-reading)");
            list.Add(scenario);
        }
        if (list.Count == 0) throw Field(field, "needs at least one scenario");
        return list;
    }

    /// <summary>Bytes as a number or a size string ("64KiB"), up to 1 MiB.</summary>
    private static int SizeInt(JsonElement v, string f)
    {
        long n = Size(v, f);
        return n is < 1 or > 1 << 20 ? throw Field(f, $"must be between 1 and 1048576 bytes (got {n})") : (int)n;
    }

    private static string NormaliseKey(string key) => key.Replace("_", "").Replace("-", "").ToLowerInvariant();

    private static List<LoadPhase> Phases(JsonElement v, string field)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Field(field, "must be an array of load simulations");
        var list = new List<LoadPhase>();
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            string at = $"{field}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object || item.EnumerateObject().Count() != 1)
                throw Field(at, "must be an object with one key: RampingConstant, KeepConstant, Inject, RampingInject or Pause");
            var prop = item.EnumerateObject().First();
            if (!Enum.TryParse<PhaseKind>(prop.Name, ignoreCase: true, out var kind) || int.TryParse(prop.Name, out _))
                throw Field($"{at}.{prop.Name}", "unknown load simulation (use RampingConstant, KeepConstant, Inject, RampingInject or Pause)");
            list.Add(Phase(kind, prop.Value, $"{at}.{prop.Name}"));
        }
        if (list.Count == 0) throw Field(field, "needs at least one load simulation");
        return list;
    }

    private static LoadPhase Phase(PhaseKind kind, JsonElement v, string at)
    {
        string[] names = kind switch
        {
            PhaseKind.RampingConstant or PhaseKind.KeepConstant => ["copies", "during"],
            PhaseKind.Inject or PhaseKind.RampingInject => ["rate", "interval", "during"],
            _ => ["during"],
        };
        var args = new JsonElement?[names.Length];
        if (v.ValueKind == JsonValueKind.Array)
        {
            var items = v.EnumerateArray().ToArray();
            if (items.Length != names.Length) throw Field(at, $"needs [{string.Join(", ", names)}]");
            for (int i = 0; i < names.Length; i++) args[i] = items[i];
        }
        else if (v.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in v.EnumerateObject())
            {
                int i = Array.IndexOf(names, p.Name.ToLowerInvariant());
                if (i < 0) throw Field($"{at}.{p.Name}", $"unknown field (expected {string.Join(", ", names)})");
                args[i] = p.Value;
            }
            for (int i = 0; i < names.Length; i++)
                if (args[i] is null) throw Field($"{at}.{names[i]}", "is required");
        }
        else if (names.Length == 1) args[0] = v;
        else throw Field(at, $"needs [{string.Join(", ", names)}] or an object with those fields");

        TimeSpan during = Dur(args[^1]!.Value, $"{at}.during");
        if (during <= TimeSpan.Zero) throw Field($"{at}.during", "must be longer than zero");
        return kind switch
        {
            PhaseKind.RampingConstant or PhaseKind.KeepConstant =>
                new LoadPhase(kind, Int(args[0]!.Value, $"{at}.copies", 0), TimeSpan.FromSeconds(1), during),
            PhaseKind.Inject or PhaseKind.RampingInject => InjectPhase(kind, args, at, during),
            _ => new LoadPhase(kind, 0, TimeSpan.FromSeconds(1), during),
        };
    }

    private static LoadPhase InjectPhase(PhaseKind kind, JsonElement?[] args, string at, TimeSpan during)
    {
        double rate = Num(args[0]!.Value, $"{at}.rate", 0);
        TimeSpan interval = Dur(args[1]!.Value, $"{at}.interval");
        if (interval <= TimeSpan.Zero) throw Field($"{at}.interval", "must be longer than zero");
        return new LoadPhase(kind, rate, interval, during);
    }

    /// <summary>"thresholds": ["p99&lt;5ms", {"expr": "errors&lt;1%", "abort_on_fail": true, "delay_abort_eval": "5s"}].</summary>
    private static List<Threshold> ThresholdList(JsonElement v, string field)
    {
        if (v.ValueKind != JsonValueKind.Array) throw Field(field, "must be an array of expressions such as \"p99<5ms\"");
        var list = new List<Threshold>();
        int i = 0;
        foreach (var item in v.EnumerateArray())
        {
            string at = $"{field}[{i++}]";
            if (item.ValueKind == JsonValueKind.String)
            {
                list.Add(Threshold.Parse(item.GetString()!, $"config field '{at}'"));
                continue;
            }
            if (item.ValueKind != JsonValueKind.Object) throw Field(at, "must be an expression string or an object with \"expr\"");
            Threshold? t = null;
            bool abort = false;
            TimeSpan delay = TimeSpan.Zero;
            foreach (var p in item.EnumerateObject())
            {
                switch (NormaliseKey(p.Name))
                {
                    case "expr" or "threshold": t = Threshold.Parse(Str(p.Value, $"{at}.{p.Name}"), $"config field '{at}.{p.Name}'"); break;
                    case "abortonfail": abort = Bool(p.Value, $"{at}.{p.Name}"); break;
                    case "delayaborteval" or "abortdelay": delay = Dur(p.Value, $"{at}.{p.Name}"); break;
                    default: throw Field($"{at}.{p.Name}", "unknown field (expected expr, abort_on_fail, delay_abort_eval)");
                }
            }
            if (t is null) throw Field($"{at}.expr", "is required");
            list.Add(t with { AbortOnFail = abort, AbortDelay = delay });
        }
        return list;
    }
}
