namespace Shootout.LoadGen.Engine;

/// <summary>
/// The connect rate as a token bucket on the pacer thread: tokens accrue at the rate, and at most a
/// hundredth of a second's worth wait, so a pacer that fell behind does not make up with a burst.
/// </summary>
internal sealed class ConnectTokens(double perSecond)
{
    private readonly double _burst = Math.Max(1, perSecond / 100);
    private double _tokens = 1;

    public void Accrue(double seconds) => _tokens = Math.Min(_tokens + perSecond * seconds, _burst);

    public bool TryTake()
    {
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }
}
