using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// A process and the processes it started (the loadgen's agents), found by parent pid in /proc: to pause
/// them together, to sum their memory, and to stop every one of them by PID.
/// </summary>
internal static class ProcessTree
{
    /// <summary>Every descendant of <paramref name="root"/> alive now, parents before children.</summary>
    public static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            if (ParentOf(pid) is not { } parent) continue;
            if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
            list.Add(pid);
        }
        var result = new List<int>();
        var queue = new Queue<int>([root]);
        while (queue.Count > 0)
        {
            if (!children.TryGetValue(queue.Dequeue(), out var kids)) continue;
            foreach (var k in kids)
            {
                result.Add(k);
                queue.Enqueue(k);
            }
        }
        return result;
    }

    /// <summary>The parent pid from /proc/PID/stat (field 4).</summary>
    public static int? ParentOf(int pid)
    {
        try
        {
            return ProcStat.Read(pid) is { } stat ? (int)stat[ProcStat.Parent] : null;
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Resident memory of <paramref name="root"/> and its descendants.</summary>
    public static long RssBytes(int root) =>
        Descendants(root).Prepend(root).Sum(p => ProcessSample.Read(p)?.RssBytes ?? 0);
}
