using System.Globalization;
using System.Text;

namespace Shootout.Common;

/// <summary>
/// A set of CPUs, written as Linux writes them (<c>0-3,6</c>: <c>taskset -c</c>, <c>Cpus_allowed_list</c>).
/// The runner gives the server processes and the load generator disjoint sets, so a figure is the server's
/// and not the pair's; the load generator reads its own set to say whether it shares cores with its target.
/// </summary>
public sealed class CpuSet : IEquatable<CpuSet>
{
    private readonly int[] _cpus;

    private CpuSet(IEnumerable<int> cpus) => _cpus = cpus.Distinct().Order().ToArray();

    public IReadOnlyList<int> Cpus => _cpus;

    public int Count => _cpus.Length;

    public static CpuSet Of(IEnumerable<int> cpus) => new(cpus);

    /// <summary>Parses <c>0-3,6</c>. Throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static CpuSet Parse(string list)
    {
        var cpus = new List<int>();
        foreach (string part in list.Split(',', StringSplitOptions.TrimEntries))
        {
            string[] range = part.Split('-', StringSplitOptions.TrimEntries);
            if (range.Length is < 1 or > 2 || !range.All(IsCpuNumber))
                throw new FormatException($"'{list}' is not a CPU list (e.g. 0-3,6): '{part}'");
            int first = int.Parse(range[0], CultureInfo.InvariantCulture);
            int last = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (last < first)
                throw new FormatException($"'{list}' is not a CPU list: the range '{part}' runs backwards");
            for (int cpu = first; cpu <= last; cpu++) cpus.Add(cpu);
        }
        return new CpuSet(cpus);
    }

    private static bool IsCpuNumber(string text) =>
        text.Length is > 0 and <= 4 && text.All(char.IsAsciiDigit);

    public static bool TryParse(string list, out CpuSet? set)
    {
        try
        {
            set = Parse(list);
            return true;
        }
        catch (FormatException)
        {
            set = null;
            return false;
        }
    }

    /// <summary>
    /// The CPUs process <paramref name="pid"/> may run on (its main thread's <c>Cpus_allowed_list</c>), or
    /// null when it is gone. Threads inherit the set of the thread that created them, so a process started
    /// under <c>taskset</c> has it on every thread.
    /// </summary>
    public static CpuSet? OfProcess(int pid) => ReadAllowed($"/proc/{pid}/status");

    /// <summary>The CPUs this process may run on (what <c>sched_getaffinity</c> says), or every CPU where /proc does not say.</summary>
    public static CpuSet Allowed() =>
        ReadAllowed("/proc/self/status") ?? new CpuSet(Enumerable.Range(0, Environment.ProcessorCount));

    private static CpuSet? ReadAllowed(string statusPath)
    {
        try
        {
            foreach (string line in File.ReadLines(statusPath))
                if (line.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal))
                    return Parse(line["Cpus_allowed_list:".Length..].Trim());
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    public bool Overlaps(CpuSet other) => _cpus.Intersect(other._cpus).Any();

    public bool IsSubsetOf(CpuSet other) => _cpus.All(other._cpus.Contains);

    /// <summary>The command line that runs <paramref name="executable"/> on these CPUs: taskset sets the
    /// affinity and then execs, so the PID is the program's own and every thread it starts inherits the set.</summary>
    public IReadOnlyList<string> Wrap(string executable, IEnumerable<string> args) =>
        ["taskset", "-c", ToString(), executable, .. args];

    /// <summary>Ranges where they are contiguous: <c>0-3,6</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (int i = 0; i < _cpus.Length; i++)
        {
            int first = _cpus[i];
            while (i + 1 < _cpus.Length && _cpus[i + 1] == _cpus[i] + 1) i++;
            if (text.Length > 0) text.Append(',');
            text.Append(CultureInfo.InvariantCulture, $"{first}");
            if (_cpus[i] != first) text.Append(CultureInfo.InvariantCulture, $"-{_cpus[i]}");
        }
        return text.ToString();
    }

    public bool Equals(CpuSet? other) => other is not null && _cpus.SequenceEqual(other._cpus);

    public override bool Equals(object? obj) => Equals(obj as CpuSet);

    public override int GetHashCode() => ToString().GetHashCode(StringComparison.Ordinal);
}

/// <summary>
/// How a run splits the CPUs it may use between the server processes and the load generator (or the C
/// client): disjoint sets wherever there are at least 2 CPUs. The server gets the larger half, since its
/// figures are the ones reported; on this project's 2-core machines that is server 1, load generator 0.
/// </summary>
public sealed record CpuRoles(CpuSet Server, CpuSet LoadGen)
{
    /// <summary>Disjoint halves of <paramref name="allowed"/> (load generator first), or null with fewer than 2 CPUs.</summary>
    public static CpuRoles? Split(CpuSet allowed)
    {
        if (allowed.Count < 2) return null;
        int loadGen = allowed.Count / 2;
        return new CpuRoles(CpuSet.Of(allowed.Cpus.Skip(loadGen)), CpuSet.Of(allowed.Cpus.Take(loadGen)));
    }

    public bool Shared => Server.Overlaps(LoadGen);
}
