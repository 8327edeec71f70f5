using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen.Cli;

/// <summary>The target list of the command line and the config file, expanded to destinations.</summary>
internal static class TargetList
{
    /// <summary>
    /// Expands a target list: comma-separated "host:port" or "host:port1-port2" entries; with
    /// <paramref name="spread"/> &gt; 1 each IPv4 address becomes that many consecutive addresses, so one
    /// address pair's ~64K ephemeral ports are no cap.
    /// </summary>
    public static List<string> Expand(string text, int spread, bool allowRemote, string name)
    {
        var result = new List<string>();
        foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = raw.LastIndexOf(':');
            if (colon <= 0 || colon == raw.Length - 1)
                throw new UsageException($"{name}: '{raw}' is not host:port");
            string host = raw[..colon].Trim('[', ']');
            string portText = raw[(colon + 1)..];
            var ports = new List<int>();
            var range = portText.Split('-');
            if (range.Length > 2 || !range.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 65535))
                throw new UsageException($"{name}: '{portText}' is not a port (1-65535) or port range");
            int first = int.Parse(range[0], CultureInfo.InvariantCulture), last = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (last < first) throw new UsageException($"{name}: port range '{portText}' runs backwards");
            for (int p = first; p <= last; p++) ports.Add(p);

            IPAddress address;
            if (!IPAddress.TryParse(host, out address!))
            {
                try
                {
                    address = Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First();
                }
                catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
                {
                    throw new UsageException($"{name}: cannot resolve host '{host}'");
                }
            }
            var addresses = new List<IPAddress> { address };
            if (spread > 1)
            {
                if (address.AddressFamily != AddressFamily.InterNetwork)
                    throw new UsageException($"--dest-addresses: spreading needs an IPv4 target, not {address}");
                var bytes = address.GetAddressBytes();
                uint start = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
                for (uint i = 1; i < spread; i++)
                {
                    uint a = start + i;
                    addresses.Add(new IPAddress(new[] { (byte)(a >> 24), (byte)(a >> 16), (byte)(a >> 8), (byte)a }));
                }
            }
            foreach (var a in addresses)
            {
                if (!allowRemote && !IPAddress.IsLoopback(a))
                    throw new UsageException($"{name}: {a} is not a loopback address; pass --allow-remote to load another host");
                foreach (var p in ports) result.Add(new IPEndPoint(a, p).ToString());
            }
        }
        if (result.Count == 0) throw new UsageException($"{name}: no target given");
        return result;
    }
}
