using System.Net.Sockets;

namespace Shootout.Engines.Threads;

/// <summary>The sockets being served, so a stop can wake every blocked connection thread at once.</summary>
internal sealed class OpenConnections
{
    private readonly HashSet<Socket> _sockets = [];
    private readonly Lock _lock = new();
    private bool _closed;

    public void Add(Socket socket)
    {
        bool closed;
        lock (_lock)
        {
            closed = _closed;
            if (!closed)
                _sockets.Add(socket);
        }
        if (closed)
            Shutdown(socket);
    }

    public void Remove(Socket socket)
    {
        lock (_lock)
            _sockets.Remove(socket);
    }

    /// <summary>Shuts every socket down: the FIN reaches the client and the blocked poll returns.</summary>
    public void ShutdownAll()
    {
        Socket[] sockets;
        lock (_lock)
        {
            _closed = true;
            sockets = [.. _sockets];
        }
        foreach (var socket in sockets)
            Shutdown(socket);
    }

    private static void Shutdown(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }
}
