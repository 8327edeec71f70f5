using System.Net;
using System.Net.Sockets;

namespace Shootout.Runner.Processes;

/// <summary>Free loopback TCP ports for metrics endpoints and Prometheus, handed out once per run.</summary>
internal static class Ports
{
    private static readonly HashSet<int> Given = [];

    /// <summary>A port the kernel says is free now, never one this run already handed out.</summary>
    public static int Free()
    {
        lock (Given)
        {
            while (true)
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                int port = ((IPEndPoint)s.LocalEndPoint!).Port;
                if (Given.Add(port)) return port;
            }
        }
    }

    /// <summary><paramref name="preferred"/> if nothing listens there, else the next free one above it.</summary>
    public static int FreeFrom(int preferred)
    {
        lock (Given)
        {
            for (int port = preferred; port < Math.Min(65536, preferred + 100); port++)
            {
                if (Given.Contains(port)) continue;
                try
                {
                    using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    s.Bind(new IPEndPoint(IPAddress.Loopback, port));
                    Given.Add(port);
                    return port;
                }
                catch (SocketException)
                {
                }
            }
        }
        return Free();
    }
}
