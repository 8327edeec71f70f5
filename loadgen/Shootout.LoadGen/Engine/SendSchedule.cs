namespace Shootout.LoadGen.Engine;

/// <summary>
/// The open model's send times for one event loop: at a rate that may change from turn to turn, which
/// sends fell due since the last turn, each at its own exact time (not the time the loop noticed). The
/// fraction of a send not yet due is carried over, so no send is lost or doubled between turns.
/// </summary>
/// <remarks>
/// Each loop of a worker keeps its own schedule at its share of the rate; <paramref name="phase"/> (0 to 1)
/// staggers them, so N loops at rate R/N interleave their sends as one schedule at R would, instead of
/// sending together.
/// </remarks>
internal sealed class SendSchedule(double phase = 0)
{
    private double _carry;
    private double _lastT;
    private double _lastRate;

    /// <summary>Calls <paramref name="due"/> with each send time (seconds since the clock started) due by
    /// <paramref name="t"/>, and returns when the next one falls due at this rate (seconds; infinity while
    /// the rate is 0): the time to wake up at.</summary>
    public double Advance(double t, double rate, Action<double> due)
    {
        double next = double.PositiveInfinity;
        // After a pause, start afresh: a fraction owed from before it would fall due inside the pause.
        if (_lastRate <= 0) _carry = phase;
        _lastRate = rate;
        if (rate > 0)
        {
            double owed = _carry + rate * (t - _lastT);
            // A loop that wakes at the time this returned must find that send due: rounding in the clock's
            // conversions may leave it a hair short, so a millionth of a send counts as a whole one.
            long n = (long)Math.Floor(owed + 1e-6);
            for (long i = 1; i <= n; i++)
                due(_lastT + (i - _carry) / rate);
            _carry = owed - n;
            next = t + (1 - _carry) / rate;
        }
        _lastT = t;
        return next;
    }
}
