using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// The kernel's connection tracking. Once any rule needs it (a container engine's NAT rules on the
/// host, Docker's or podman's), the kernel follows every new connection, loopback included, and past
/// nf_conntrack_max drops packets ("nf_conntrack: table full, dropping packet"): a ramp stalls there
/// and the echo after it gets no answers. So a run raises the maximum as root, like the other limits,
/// and otherwise names that wall before and after the ramp.
/// </summary>
internal sealed partial class KernelLimits
{
    public const string ConntrackMax = "net.netfilter.nf_conntrack_max";
    private const string ConntrackCount = "net.netfilter.nf_conntrack_count";

    /// <summary>The table now: null when the kernel keeps none (no conntrack module).</summary>
    public (long Count, long Max)? Conntrack()
    {
        return read(ConntrackCount) is { } count && read(ConntrackMax) is { } max
            && long.TryParse(count, CultureInfo.InvariantCulture, out long c) && long.TryParse(max, CultureInfo.InvariantCulture, out long m)
            ? (c, m) : null;
    }

    /// <summary>
    /// Entries in use when the table is active (something is being tracked), else null: a loaded module
    /// without rules tracks nothing, and then there is no wall to raise.
    /// </summary>
    public long? ConntrackInUse() => Conntrack() is { Count: > 0 } table ? table.Count : null;

    /// <summary>
    /// The maximum a run of <paramref name="connections"/> needs beside <paramref name="inUse"/> entries:
    /// one entry per connection, as many again for the previous engine's closed ones (they linger in
    /// TIME_WAIT for two minutes), and room for the echo phases and the rest of the machine.
    /// </summary>
    public static long ConntrackNeed(int connections, long inUse) => inUse + 2L * connections + 65_536;

    /// <summary>Before a run the maximum was not raised for: the wall it will meet, or null when there is room.</summary>
    public string? ConntrackWarning(int connections)
    {
        if (ConntrackInUse() is not { } inUse || Conntrack() is not { } table) return null;
        long need = ConntrackNeed(connections, inUse);
        return table.Max >= need ? null
            : $"conntrack: the kernel tracks every connection here ({inUse:N0} of nf_conntrack_max {table.Max:N0} entries in use; a container " +
              $"engine's NAT rules do that) " +
              $"and drops packets past the maximum: expect the ramp to stop at about {Math.Max(0, table.Max - inUse):N0} connections, conntrack table full " +
              $"(a run of {connections:N0} needs {need:N0}; as root the runner raises {ConntrackMax} for the run)";
    }

    /// <summary>After a ramp that fell short: "conntrack table full" with the numbers, when that is where it stopped.</summary>
    public string? ConntrackFull()
    {
        if (Conntrack() is not { Max: > 0 } table || table.Count < table.Max - Math.Max(64, table.Max / 100)) return null;
        return $"conntrack table full (nf_conntrack_count {table.Count:N0} of nf_conntrack_max {table.Max:N0}): the kernel drops new connections' packets; " +
               $"raise {ConntrackMax} (the runner does as root) or remove the container engine's NAT rules (nft list tables)";
    }
}
