namespace Shootout.LoadGen.Stats;

/// <summary>How evenly a resource is shared.</summary>
internal static class Fairness
{
    /// <summary>
    /// Jain's fairness index, (Σx)² / (n·Σx²): 1 when every share is equal, 1/n when one takes everything.
    /// Null when there is nothing to compare (no shares, or all of them zero).
    /// </summary>
    public static double? Jain(IReadOnlyCollection<double> shares)
    {
        double sum = shares.Sum(), squares = shares.Sum(x => x * x);
        return shares.Count == 0 || squares <= 0 ? null : sum * sum / (shares.Count * squares);
    }

    /// <summary>The slowest share over the mean share: 1 when even, near 0 when one connection starves. Null as for <see cref="Jain"/>.</summary>
    public static double? SlowestOverMean(IReadOnlyCollection<double> shares) =>
        shares.Count == 0 || shares.Sum() <= 0 ? null : shares.Min() / shares.Average();
}
