namespace Shootout.LoadGen.Engine;

/// <summary>
/// The open model's send times, on the pacer thread: at a rate that may change from turn to turn, which
/// sends fell due since the last turn, each at its own exact time (not the time the pacer noticed). The
/// fraction of a send not yet due is carried over, so no send is lost or doubled between turns.
/// </summary>
internal sealed class SendSchedule
{
    private double _carry;
    private double _lastT;
    private double _lastRate;

    /// <summary>Calls <paramref name="due"/> with each send time (seconds since the clock started) due by
    /// <paramref name="t"/>, and returns how long the pacer may sleep before the next one, in microseconds.</summary>
    public long Advance(double t, double rate, Action<double> due)
    {
        long sleep = 1000;
        // After a pause, start afresh: a fraction owed from before it would fall due inside the pause.
        if (_lastRate <= 0) _carry = 0;
        _lastRate = rate;
        if (rate > 0)
        {
            double owed = _carry + rate * (t - _lastT);
            long n = (long)Math.Floor(owed);
            for (long i = 1; i <= n; i++)
                due(_lastT + (i - _carry) / rate);
            _carry = owed - n;
            sleep = Math.Clamp((long)((1 - _carry) / rate * 1e6), 20, 1000);
        }
        _lastT = t;
        return sleep;
    }
}
