using HdrHistogram;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Thresholds;

/// <summary>The figures thresholds are judged on, read off the run's totals (at the end, or live under the
/// aggregate's lock). Requests are messages plus connects; a failed one is either that failed.</summary>
internal sealed class RunFigures(LoadPlan plan, RunAggregate t, double measuredSeconds, IReadOnlyList<PhaseRate>? phases)
{
    public HistogramBase Histogram(string prefix) => prefix switch
    {
        "connect_" => t.Connect,
        "first_byte_" => t.FirstByte,
        "send_lag_" => t.SendLag,
        _ => t.Latency,
    };

    public double ErrorCount => t.Failed + t.ConnectFailed;

    public double? ErrorPercent
    {
        get
        {
            double requests = t.Ok + t.Failed + t.Attempts;
            return requests == 0 ? null : 100.0 * ErrorCount / requests;
        }
    }

    public double? Rps => measuredSeconds > 0 ? t.Ok / measuredSeconds : null;

    public double Established => t.Established;

    /// <summary>Messages echoed over messages the plan asked for, in percent (end of run only).</summary>
    public double? RatePercent =>
        phases is not null && PhaseRates.RequestedMessages(phases) is > 0 and var requested ? 100.0 * t.Ok / requested : null;

    public LoadPlan Plan => plan;
}
