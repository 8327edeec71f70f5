using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>The loop's connection table, and dispatch of epoll events to the connections in it.</summary>
public sealed partial class EventLoop
{
    private const uint ConnectionEvents = Epoll.EPOLLIN | Epoll.EPOLLOUT | Epoll.EPOLLRDHUP | Epoll.EPOLLET;

    // The epoll data of a registration is (slot << 32 | generation), so an event still queued for a
    // closed connection never reaches the next one in its slot or fd.
    private readonly SlotTable<NetConnection> _connections = new();

    /// <summary>Open connections on this loop (read on the loop thread for an exact figure).</summary>
    public int ConnectionCount => _connections.Count;

    /// <summary>Events that arrived for a registration already closed (their generation no longer matches).</summary>
    internal long StaleEvents { get; private set; }

    internal int Register(NetConnection connection)
    {
        (connection.Slot, connection.Generation) = _connections.Add(connection);
        connection.LastActiveMs = NowMs;
        int rc = _poller.Add(connection.Fd, ConnectionEvents, (ulong)(uint)connection.Slot << 32 | connection.Generation);
        if (rc != 0)
            Unregister(connection);
        return rc;
    }

    internal void Unregister(NetConnection connection) => _connections.Remove(connection.Slot, connection);

    private void Dispatch(ulong token, uint events)
    {
        if (_connections[(uint)(token >> 32)] is { } connection && connection.Generation == (uint)token)
            RunFiber((connection, events), static e => e.connection.OnEvents(e.events));
        else
            StaleEvents++;
    }

    /// <summary>Test hook: dispatches an event as if epoll had returned it.</summary>
    internal void DispatchForTest(ulong token, uint events) => Dispatch(token, events);

    /// <summary>Visits every open connection (the table may change under <paramref name="visit"/>).</summary>
    private void ForEachConnection(Action<NetConnection> visit)
    {
        for (int slot = 0; slot < _connections.Used; slot++)
        {
            if (_connections[(uint)slot] is { } connection)
                visit(connection);
        }
    }
}
