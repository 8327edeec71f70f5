using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen.Net;

/// <summary>
/// Local addresses to connect from. The kernel's ephemeral ports towards ONE destination (address and port)
/// run out at the size of net.ipv4.ip_local_port_range (~28K by default): past that, connects stall or fail.
/// Each further source address brings another full range, because connections bind with
/// IP_BIND_ADDRESS_NO_PORT and the port is chosen per destination (as tcpkali does with interface aliases).
/// On a loopback target the sources are chosen here automatically (all of 127.0.0.0/8 is local on Linux);
/// off loopback they come from <c>--source-addresses</c>.
/// </summary>
internal static class SourceAddresses
{
    /// <summary>Most source addresses one run spreads over.</summary>
    public const int Max = 4096;

    /// <summary>Share of the port range one source/destination pair is planned to use. Under one half:
    /// connect() takes ports of one parity (the other half is for bind()), and measured here a hold of 60,000
    /// over 4 sources stalled at 56,463, 14,116 per pair, exactly half of the default range.</summary>
    private const double PortBudget = 0.45;

    /// <summary>Ephemeral ports per source/destination pair (the size of ip_local_port_range).</summary>
    public static int PortRange()
    {
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return int.Parse(parts[1], CultureInfo.InvariantCulture) - int.Parse(parts[0], CultureInfo.InvariantCulture) + 1;
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
        {
            return DefaultPortRange;
        }
    }

    /// <summary>The kernel's default range (32768-60999).</summary>
    private const int DefaultPortRange = 28_232;

    /// <summary>Connections one source/destination pair is planned to carry. Planned on the default range at
    /// most: a wider one may be a tool's temporary setting (the shootout runner widens it and puts it back),
    /// and a range that shrinks under a running hold would stall it.</summary>
    public static int PerPair => (int)(Math.Min(PortRange(), DefaultPortRange) * PortBudget);

    /// <summary>
    /// For loopback targets with more connections per destination than <see cref="PerPair"/>: that many
    /// sources from 127.0.0.1 up. Otherwise none (the kernel picks the source, as it always did).
    /// </summary>
    public static List<string> AutoForLoopback(IReadOnlyList<string> targets, long connections)
    {
        var endpoints = targets.Select(IPEndPoint.Parse).ToList();
        if (endpoints.Count == 0 || !endpoints.All(e => e.AddressFamily == AddressFamily.InterNetwork && IPAddress.IsLoopback(e.Address)))
            return [];
        long perDestination = (connections + endpoints.Distinct().Count() - 1) / endpoints.Distinct().Count();
        int needed = (int)Math.Min(Max, (perDestination + PerPair - 1) / PerPair);
        if (needed <= 1) return [];
        return Enumerable.Range(0, needed).Select(i => Offset(IPAddress.Loopback, i).ToString()).ToList();
    }

    /// <summary><c>--source-addresses</c>: a comma-separated list of addresses and/or CIDR blocks.</summary>
    public static List<string> Parse(string text, string name)
    {
        var result = new List<IPAddress>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (item.Contains('/'))
            {
                if (!IPNetwork.TryParse(item, out var net))
                    throw new UsageException($"{name}: '{item}' is not an address or a CIDR block (e.g. 10.0.0.0/28)");
                result.AddRange(Hosts(net, name));
            }
            else if (IPAddress.TryParse(item, out var a)) result.Add(a);
            else throw new UsageException($"{name}: '{item}' is not an IP address or a CIDR block");
            if (result.Count > Max) throw new UsageException($"{name}: more than {Max} addresses");
        }
        if (result.Count == 0) throw new UsageException($"{name}: no address given");
        foreach (var a in result.Distinct().Take(256))
            if (!Bindable(a)) throw new UsageException($"{name}: {a} is not an address of this machine (bind failed)");
        return result.Distinct().Select(a => a.ToString()).ToList();
    }

    private static IEnumerable<IPAddress> Hosts(IPNetwork net, string name)
    {
        int bits = net.BaseAddress.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int hostBits = bits - net.PrefixLength;
        if (hostBits > 12) throw new UsageException($"{name}: {net} holds more than {Max} addresses");
        long count = 1L << hostBits;
        // A /31 or /32 (or IPv6) uses every address; a larger IPv4 block skips its network and broadcast addresses.
        bool skipEnds = bits == 32 && hostBits >= 2;
        for (long i = skipEnds ? 1 : 0; i < (skipEnds ? count - 1 : count); i++)
            yield return Offset(net.BaseAddress, i);
    }

    private static IPAddress Offset(IPAddress start, long by)
    {
        var bytes = start.GetAddressBytes();
        for (int i = bytes.Length - 1; i >= 0 && by != 0; i--)
        {
            long sum = bytes[i] + (by & 0xFF);
            bytes[i] = (byte)sum;
            by = (by >> 8) + (sum >> 8);
        }
        return new IPAddress(bytes);
    }

    private static bool Bindable(IPAddress a)
    {
        try
        {
            using var s = new Socket(a.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            s.Bind(new IPEndPoint(a, 0));
            return true;
        }
        catch (SocketException) { return false; }
    }
}
