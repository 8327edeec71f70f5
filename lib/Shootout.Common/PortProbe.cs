using System.Net;
using System.Net.Sockets;

namespace Shootout.Common;

/// <summary>
/// Whether a TCP port is free now, by binding it: the one check behind the runner's ports (metrics, Prometheus) and the
/// test suites' (servers, tools). Each keeps its own band and bookkeeping; the check is the same.
/// </summary>
public static class PortProbe
{
    /// <summary>True when nothing holds <paramref name="port"/> on any address or on loopback (a listener on 127.0.0.1 only
    /// leaves the wildcard bindable).</summary>
    public static bool Free(int port) => Bindable(IPAddress.Any, port) && Bindable(IPAddress.Loopback, port);

    private static bool Bindable(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
