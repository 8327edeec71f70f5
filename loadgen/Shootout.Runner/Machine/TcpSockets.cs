using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// The kernel's TCP socket table (/proc/net/tcp and tcp6) by local port: whether a port listens, and how
/// many connections on it a process has accepted. For servers that report nothing themselves.
/// </summary>
internal static class TcpSockets
{
    private const string Established = "01", Listen = "0A";

    /// <summary>Sockets listening on <paramref name="port"/> (IPv4, or IPv6 which also takes IPv4 unless v6-only): one per SO_REUSEPORT copy.</summary>
    public static long Listening(int port) => Count(port, Listen, acceptedOnly: false).Count;

    /// <summary>
    /// Established connections whose local port is <paramref name="port"/> and that a process has accepted:
    /// one still in the listen queue has no inode yet, so a server that stops accepting is not credited with
    /// what the kernel queued for it.
    /// </summary>
    /// <remarks>
    /// A client on this machine may be given the server's port as its own ephemeral port (the kernel allows it: the
    /// 4-tuple differs). Both ends of that connection then have local and remote port equal to the server's, so
    /// those entries count half each: one connection, not two.
    /// </remarks>
    public static long Accepted(int port)
    {
        var (count, mirrored) = Count(port, Established, acceptedOnly: true);
        return count - mirrored + (mirrored + 1) / 2;
    }

    private static (long Count, long Mirrored) Count(int port, string state, bool acceptedOnly)
    {
        string hexPort = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        long count = 0, mirrored = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            IEnumerable<string> lines;
            try
            {
                lines = File.ReadLines(table).Skip(1);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var line in lines)
            {
                var fields = line.Split(' ', 11, StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != state || !fields[1].EndsWith(hexPort, StringComparison.Ordinal)) continue;
                if (acceptedOnly && fields[9] == "0") continue;
                count++;
                if (fields[2].EndsWith(hexPort, StringComparison.Ordinal)) mirrored++;
            }
        }
        return (count, mirrored);
    }
}
