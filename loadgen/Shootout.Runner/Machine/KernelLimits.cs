using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>A kernel setting the run changed: printed and kept in summary.json.</summary>
internal sealed record SysctlChange(string Name, string Old, string New);

/// <summary>
/// The kernel limits a run at C connections runs into, raised as root (never lowered) and put back
/// after the run, or, without root, the scale they allow. The threads engine is the demanding one: a
/// thread per connection needs a pid, a slot under threads-max, and memory maps (stack and guard) in
/// its process.
/// </summary>
internal sealed partial class KernelLimits(Func<string, string?> read, Action<string, string> write)
{
    public const int MapsPerThread = 4;
    // Measured: a threads-engine process maps ~330 regions of its own, and 4 more per thread (stack, guard, TLS).
    private const int MapsForRuntime = 1_000;

    public static KernelLimits System { get; } = new(
        name => File.Exists(PathOf(name)) ? File.ReadAllText(PathOf(name)).Trim() : null,
        (name, value) => File.WriteAllText(PathOf(name), value));

    private static string PathOf(string name) => "/proc/sys/" + name.Replace('.', '/');

    /// <summary>
    /// What a run of <paramref name="connections"/> over <paramref name="processes"/> server processes asks for;
    /// with an active conntrack table (<paramref name="conntrackInUse"/> entries), its maximum too.
    /// </summary>
    public static IReadOnlyList<(string Name, long Needed)> Needs(int connections, int processes, int threadsNow, long? conntrackInUse = null)
    {
        long threads = threadsNow + (long)(connections * 1.1) + 4_096;
        long perProcess = (connections + processes - 1) / processes;
        return
        [
            ("net.core.somaxconn", 16_384),
            ("net.ipv4.tcp_max_syn_backlog", 16_384),
            ("kernel.pid_max", Math.Min(4_194_304, threads)),
            ("kernel.threads-max", threads),
            ("vm.max_map_count", MapsForRuntime + perProcess * MapsPerThread),
            // Both ends of every loopback connection are open files on this machine.
            ("fs.file-max", 2L * connections + 262_144),
            .. (conntrackInUse is { } inUse ? [(ConntrackMax, ConntrackNeed(connections, inUse))] : Array.Empty<(string, long)>()),
        ];
    }

    /// <summary>Raises what is below its need; returns what changed (old → new). Never lowers a value.</summary>
    public List<SysctlChange> Raise(IReadOnlyList<(string Name, long Needed)> needs)
    {
        var changes = new List<SysctlChange>();
        foreach (var (name, needed) in needs)
        {
            if (read(name) is not { } old || !long.TryParse(old, CultureInfo.InvariantCulture, out long current) || current >= needed)
                continue;
            string value = needed.ToString(CultureInfo.InvariantCulture);
            write(name, value);
            changes.Add(new SysctlChange(name, old, value));
        }
        // Widen the ephemeral port range (more client ports per destination): a lower start, a higher end.
        if (read("net.ipv4.ip_local_port_range") is { } range)
        {
            var parts = range.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 2 && int.TryParse(parts[0], out int lo) && int.TryParse(parts[1], out int hi) && (lo > 15_000 || hi < 64_999))
            {
                string value = $"{Math.Min(lo, 15_000)} {Math.Max(hi, 64_999)}";
                write("net.ipv4.ip_local_port_range", value);
                changes.Add(new SysctlChange("net.ipv4.ip_local_port_range", $"{lo} {hi}", value));
            }
        }
        return changes;
    }

    /// <summary>
    /// Puts back what <see cref="Raise"/> changed, newest first, once the run's processes are gone: a
    /// machine lent to a run should not keep a million-connection kernel afterwards. A value that is no
    /// longer the one the run wrote was changed by someone else meanwhile, and is theirs: left alone.
    /// Returns what was put back.
    /// </summary>
    public List<SysctlChange> Restore(IReadOnlyList<SysctlChange> changes)
    {
        var restored = new List<SysctlChange>();
        foreach (var change in changes.Reverse())
        {
            if (!SameValue(read(change.Name), change.New)) continue;
            write(change.Name, change.Old);
            restored.Add(change);
        }
        return restored;
    }

    // /proc/sys separates a range's numbers with a tab; the change records them with a space.
    private static bool SameValue(string? current, string expected) =>
        current is not null && string.Join(' ', current.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)) == expected;

    /// <summary>
    /// Without root: the most connections the limits allow the threads engine, and why. Null when
    /// nothing limits the run below <paramref name="connections"/>.
    /// </summary>
    public (int Connections, string Reason)? Cap(int connections, int processes, int threadsNow)
    {
        (int, string)? cap = null;
        void Consider(long allowed, string why)
        {
            allowed = Math.Max(1, allowed);
            if (allowed < connections && (cap is null || allowed < cap.Value.Item1))
                cap = ((int)allowed, why);
        }
        long Value(string name) => read(name) is { } v && long.TryParse(v, CultureInfo.InvariantCulture, out long n) ? n : long.MaxValue;
        long pidMax = Value("kernel.pid_max"), threadsMax = Value("kernel.threads-max"), maps = Value("vm.max_map_count");
        if (pidMax != long.MaxValue)
            Consider((long)((pidMax - threadsNow - 4_096) / 1.1), $"kernel.pid_max {pidMax} (a thread per connection needs a pid)");
        if (threadsMax != long.MaxValue)
            Consider((long)((threadsMax - threadsNow - 4_096) / 1.1), $"kernel.threads-max {threadsMax}");
        if (maps != long.MaxValue)
            Consider((maps - MapsForRuntime) / MapsPerThread * processes, $"vm.max_map_count {maps} (about {MapsPerThread} maps per thread per process)");
        return cap;
    }

    /// <summary>The limits a thread per connection runs into, as they are now, for a report line.</summary>
    public string Describe()
    {
        string V(string name) => read(name) ?? "?";
        return $"kernel.pid_max {V("kernel.pid_max")}, kernel.threads-max {V("kernel.threads-max")}, vm.max_map_count {V("vm.max_map_count")} per " +
               $"process, {ThreadsNow():N0} threads on the machine";
    }

    /// <summary>Threads (kernel tasks) on the machine now: the 4th field of /proc/loadavg is running/total.</summary>
    public static int ThreadsNow()
    {
        try
        {
            var field = File.ReadAllText("/proc/loadavg").Split(' ')[3];
            return int.Parse(field[(field.IndexOf('/') + 1)..], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return 1_000;
        }
    }
}
