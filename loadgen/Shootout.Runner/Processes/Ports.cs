using System.Net;
using System.Net.Sockets;
using Shootout.Common;

namespace Shootout.Runner.Processes;

/// <summary>Free loopback TCP ports for metrics endpoints and Prometheus, handed out once per run.</summary>
internal static class Ports
{
    private static readonly HashSet<int> Given = [];

    /// <summary>
    /// A port nothing uses now, never one this run already handed out, from a band below any ephemeral range:
    /// a port from the kernel's ephemeral range could be taken as the source port of some outgoing connection
    /// (another run's load generator opens thousands) between now and when the process it is for binds it.
    /// 5000–9999: a run widens the ephemeral range down to 15000, and the test suites take theirs from 10000–14999.
    /// </summary>
    public static int Free()
    {
        lock (Given)
        {
            for (int attempt = 0; attempt < 500; attempt++)
            {
                int port = Random.Shared.Next(BandLow, BandHigh);
                if (!Given.Contains(port) && PortProbe.Free(port) && Given.Add(port)) return port;
            }
            while (true) // the band is full: whatever the kernel says is free
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                int port = ((IPEndPoint)s.LocalEndPoint!).Port;
                if (Given.Add(port)) return port;
            }
        }
    }

    private const int BandLow = 5000, BandHigh = 10000;

    /// <summary><paramref name="preferred"/> if nothing listens there, else the next free one above it.</summary>
    public static int FreeFrom(int preferred)
    {
        lock (Given)
        {
            for (int port = preferred; port < Math.Min(65536, preferred + 100); port++)
            {
                if (!Given.Contains(port) && PortProbe.Free(port) && Given.Add(port)) return port;
            }
        }
        return Free();
    }
}
