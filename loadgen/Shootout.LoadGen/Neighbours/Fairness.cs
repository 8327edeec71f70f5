namespace Shootout.LoadGen.Neighbours;

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
}
