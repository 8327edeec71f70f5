namespace Shootout.LoadGen.Plan;

/// <summary>
/// The phases laid on a time axis: for any second of the run, how many connections should be open and at
/// what rate messages are due (both for the whole load; callers apply their share).
/// </summary>
internal sealed class Schedule
{
    private readonly Segment[] _segments;

    private readonly record struct Segment(double Start, double End, PhaseKind Kind,
        double ConnFrom, double ConnTo, double RateFrom, double RateTo);

    public Schedule(LoadPlan plan)
    {
        var segments = new List<Segment>();
        double t = 0;
        double conns = plan.OpenModel ? plan.Connections : 0;
        double rate = 0;
        foreach (var p in plan.Phases)
        {
            double end = t + p.During.TotalSeconds;
            switch (p.Kind)
            {
                case PhaseKind.RampingConstant:
                    segments.Add(new(t, end, p.Kind, conns, p.Value, rate, rate));
                    conns = p.Value;
                    break;
                case PhaseKind.KeepConstant:
                    segments.Add(new(t, end, p.Kind, p.Value, p.Value, rate, rate));
                    conns = p.Value;
                    break;
                case PhaseKind.Inject:
                    segments.Add(new(t, end, p.Kind, conns, conns, p.RatePerSecond, p.RatePerSecond));
                    rate = p.RatePerSecond;
                    break;
                case PhaseKind.RampingInject:
                    segments.Add(new(t, end, p.Kind, conns, conns, rate, p.RatePerSecond));
                    rate = p.RatePerSecond;
                    break;
                case PhaseKind.Pause:
                    segments.Add(new(t, end, p.Kind, conns, conns, 0, 0));
                    rate = 0;
                    break;
            }
            t = end;
        }
        _segments = segments.ToArray();
        DurationSeconds = t;
        InitialConnections = _segments.Length == 0 ? 0 : _segments[0].ConnFrom;
    }

    public double DurationSeconds { get; }

    /// <summary>Connections wanted at the very start (opened before the clock starts in <c>echo</c>).</summary>
    public double InitialConnections { get; }

    public double ConnectionTarget(double t) => Eval(t, s => (s.ConnFrom, s.ConnTo), roundUp: true);

    public double RateAt(double t) => Eval(t, s => (s.RateFrom, s.RateTo), roundUp: false);

    public bool PausedAt(double t) => Find(t) is { Kind: PhaseKind.Pause };

    /// <summary>Which phase second <paramref name="t"/> falls in (the last one past the end).</summary>
    public int PhaseAt(double t)
    {
        for (int i = 0; i < _segments.Length; i++)
            if (t < _segments[i].End) return i;
        return Math.Max(0, _segments.Length - 1);
    }

    /// <summary>Messages per second phase <paramref name="i"/> asks for on average (a ramp: the mean of its ends).</summary>
    public double MeanRateOf(int i) => (_segments[i].RateFrom + _segments[i].RateTo) / 2;

    public (double Start, double End) SpanOf(int i) => (_segments[i].Start, _segments[i].End);

    private Segment? Find(double t)
    {
        foreach (var s in _segments)
            if (t < s.End) return s;
        return null;
    }

    private double Eval(double t, Func<Segment, (double From, double To)> pick, bool roundUp)
    {
        var s = Find(t);
        if (s is null) return _segments.Length == 0 ? 0 : pick(_segments[^1]).To;
        var (from, to) = pick(s.Value);
        double span = s.Value.End - s.Value.Start;
        double f = span <= 0 ? 1 : Math.Clamp((t - s.Value.Start) / span, 0, 1);
        double v = from + (to - from) * f;
        return roundUp ? Math.Ceiling(v - 1e-9) : v;
    }
}
