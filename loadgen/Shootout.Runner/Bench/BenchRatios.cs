using Shootout.Runner.Run;
using Shootout.Runner.Statistics;

namespace Shootout.Runner.Bench;

/// <summary>One ratio of the bench: <see cref="A"/>'s <see cref="Metric"/> over <see cref="B"/>'s, per round and over rounds.</summary>
/// <param name="ClientBoundRounds">Rounds whose echo of A or B was the C client's limit (a lower bound): the ratio then says less.</param>
internal sealed record BenchRatio(string Metric, string A, string B, RatioInterval Interval, int ClientBoundRounds = 0)
{
    public const string Echo = "echo_msgs_per_s", Accepts = "accepts_per_s", AcceptsPerCpu = "accepts_per_cpu_s";

    public string Label => $"{A}/{B} {Metric}";
}

/// <summary>
/// Which ratios a bench reports, each read side by side within a round (the two rows ran minutes apart at most) and then over
/// rounds: every row's echo against the first reference's (what the machine can do); each engine against epoll; and, with
/// --baseline, each engine against the same engine of the baseline build. A round where either row failed has no ratio.
/// </summary>
internal static class BenchRatios
{
    public static IReadOnlyList<BenchRatio> Of(IReadOnlyList<RowResult> results)
    {
        var subjects = results.Select(r => r.Row).DistinctBy(r => r.Subject).ToList();
        var pairs = new List<(string Metric, string A, string B)>();
        foreach (var baseline in subjects.Where(s => s.Kind == RowKind.Baseline))
        {
            string engine = baseline.Subject[..baseline.Subject.IndexOf('@')];
            pairs.Add((BenchRatio.Echo, engine, baseline.Subject));
            pairs.Add((BenchRatio.Accepts, engine, baseline.Subject));
            pairs.Add((BenchRatio.AcceptsPerCpu, engine, baseline.Subject));
        }
        if (subjects.Any(s => s is { Kind: RowKind.Engine, Subject: "epoll" }))
        {
            foreach (var engine in subjects.Where(s => s.Kind == RowKind.Engine && s.Subject != "epoll"))
            {
                pairs.Add((BenchRatio.Echo, engine.Subject, "epoll"));
                pairs.Add((BenchRatio.Accepts, engine.Subject, "epoll"));
                pairs.Add((BenchRatio.AcceptsPerCpu, engine.Subject, "epoll"));
            }
        }
        if (subjects.FirstOrDefault(s => s.Kind == RowKind.Reference) is { } reference)
        {
            foreach (var other in subjects.Where(s => s.Kind != RowKind.Baseline && s.Subject != reference.Subject))
                pairs.Add((BenchRatio.Echo, other.Subject, reference.Subject));
        }
        var ratios = new List<BenchRatio>();
        foreach (var (metric, a, b) in pairs)
        {
            var (perRound, clientBound) = PerRound(results, metric, a, b);
            if (perRound.Count > 0) ratios.Add(new BenchRatio(metric, a, b, RatioInterval.Of(perRound), clientBound));
        }
        return ratios;
    }

    private static (List<double> Ratios, int ClientBound) PerRound(IReadOnlyList<RowResult> results, string metric, string a, string b)
    {
        var ratios = new List<double>();
        int clientBound = 0;
        foreach (var round in results.GroupBy(r => r.Row.Round).OrderBy(g => g.Key))
        {
            double? Value(string subject) => round.FirstOrDefault(r => r.Row.Subject == subject && r.Ok) is { } row
                ? metric switch
                {
                    BenchRatio.Echo => row.EchoMessagesPerSecond,
                    BenchRatio.Accepts => row.AcceptsPerSecond,
                    _ => row.AcceptsPerCpuSecond,
                }
                : null;
            if (Value(a) is > 0 and var numerator && Value(b) is > 0 and var denominator)
            {
                ratios.Add(numerator / denominator);
                if (metric == BenchRatio.Echo && round.Any(r => (r.Row.Subject == a || r.Row.Subject == b) && r.EchoClientBound)) clientBound++;
            }
        }
        return (ratios, clientBound);
    }
}
