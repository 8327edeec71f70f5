namespace Shootout.LoadGen.Plan;

/// <summary>
/// Which part of the whole load one process carries: global connection k belongs to the share whose
/// <see cref="Index"/> equals k mod <see cref="Count"/>. Shares compose (a replica's local agents split
/// the replica's share again), so agents and replicas need no protocol beyond their index and count.
/// </summary>
internal readonly record struct Share(int Index, int Count)
{
    public static Share Whole => new(0, 1);

    public Share Split(int index, int count) => new(Index + index * Count, Count * count);

    /// <summary>How many of the first <paramref name="total"/> global connections belong to this share.</summary>
    public int ConnectionsOf(long total) =>
        total <= Index ? 0 : (int)((total - Index + Count - 1) / Count);

    /// <summary>The global number of this share's j-th connection.</summary>
    public long GlobalIndex(int local) => Index + (long)local * Count;
}
