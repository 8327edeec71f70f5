using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen.Stats;

/// <summary>One phase of the plan: the message rate it asked for (this process's share) against the rate
/// achieved while it ran. Null rates: the phase asks for none (a closed loop asks for "as fast as it goes").</summary>
internal sealed record PhaseRate(int Index, PhaseKind Kind, double StartSeconds, double Seconds, double? Requested,
    double Achieved, long Ok, long? Scheduled);

/// <summary>
/// Requested against achieved, phase by phase: a plan that ramps and pauses asks for different rates in
/// each phase, and one average over all of them says nothing. The whole run's requested rate is the mean
/// over the measured seconds of what each phase asked for.
/// </summary>
internal static class PhaseRates
{
    public static IReadOnlyList<PhaseRate> Of(LoadPlan plan, RunAggregate totals)
    {
        var schedule = new Schedule(plan);
        double measured = totals.MeasuredSeconds;
        var result = new List<PhaseRate>();
        for (int i = 0; i < plan.Phases.Count; i++)
        {
            var (start, end) = schedule.SpanOf(i);
            double seconds = Math.Max(0, Math.Min(end, measured) - start);
            long ok = i < totals.PhaseOk.Length ? totals.PhaseOk[i] : 0;
            // Only the open model asks for a rate; a closed loop goes as fast as the server answers, and a
            // heartbeat is a liveness check, not a rate.
            double? requested = plan.OpenModel ? schedule.MeanRateOf(i) * plan.ShareFraction : null;
            long? scheduled = plan.OpenModel ? (i < totals.PhaseDue.Length ? totals.PhaseDue[i] : 0) : null;
            result.Add(new PhaseRate(i, plan.Phases[i].Kind, start, seconds, requested, seconds > 0 ? ok / seconds : 0, ok, scheduled));
        }
        return result;
    }

    /// <summary>Messages the plan asked for over the measured part of the run, or null when it asks for no rate.</summary>
    public static double? RequestedMessages(IReadOnlyList<PhaseRate> phases) =>
        phases.All(p => p.Requested is null) ? null : phases.Sum(p => (p.Requested ?? 0) * p.Seconds);
}
