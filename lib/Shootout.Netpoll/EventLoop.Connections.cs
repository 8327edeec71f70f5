using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>The loop's connection table, and dispatch of epoll events to the connections in it.</summary>
public sealed partial class EventLoop
{
    private const uint ConnectionEvents = Libc.EPOLLIN | Libc.EPOLLOUT | Libc.EPOLLRDHUP | Libc.EPOLLET;

    // Slot → connection. The epoll data of a registration is (slot << 32 | generation), so an event
    // still queued for a closed connection never reaches the next one in its slot or fd. The free-list
    // shape is the async engine's SlotTable again, but this one is owned by the loop thread (no lock)
    // and carries generations; the netpoller depends on nothing of the servers, so it keeps its own.
    private NetConnection?[] _slots = new NetConnection?[64];
    private int[] _freeSlots = new int[64];
    private int _freeCount;
    private int _slotsUsed;
    private uint _lastGeneration;

    /// <summary>Open connections on this loop (read on the loop thread for an exact figure).</summary>
    public int ConnectionCount => _slotsUsed - _freeCount;

    /// <summary>Events that arrived for a registration already closed (their generation no longer matches).</summary>
    internal long StaleEvents { get; private set; }

    internal int Register(NetConnection connection)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _freeSlots[--_freeCount];
        }
        else
        {
            if (_slotsUsed == _slots.Length)
                Array.Resize(ref _slots, _slots.Length * 2);
            slot = _slotsUsed++;
        }
        uint generation = ++_lastGeneration;
        if (generation == 0)
            generation = ++_lastGeneration;
        connection.Slot = slot;
        connection.Generation = generation;
        connection.LastActiveMs = NowMs;
        _slots[slot] = connection;
        int rc = _poller.Add(connection.Fd, ConnectionEvents, (ulong)(uint)slot << 32 | generation);
        if (rc != 0)
            Unregister(connection);
        return rc;
    }

    internal void Unregister(NetConnection connection)
    {
        int slot = connection.Slot;
        if ((uint)slot >= (uint)_slotsUsed || _slots[slot] != connection)
            return;
        _slots[slot] = null;
        if (_freeCount == _freeSlots.Length)
            Array.Resize(ref _freeSlots, _freeSlots.Length * 2);
        _freeSlots[_freeCount++] = slot;
    }

    private void Dispatch(ulong token, uint events)
    {
        uint slot = (uint)(token >> 32);
        if (slot < (uint)_slotsUsed && _slots[slot] is { } connection && connection.Generation == (uint)token)
            RunFiber((connection, events), static e => e.connection.OnEvents(e.events));
        else
            StaleEvents++;
    }

    /// <summary>Test hook: dispatches an event as if epoll had returned it.</summary>
    internal void DispatchForTest(ulong token, uint events) => Dispatch(token, events);

    /// <summary>Visits every open connection (the table may change under <paramref name="visit"/>).</summary>
    private void ForEachConnection(Action<NetConnection> visit)
    {
        for (int slot = 0; slot < _slotsUsed; slot++)
        {
            if (_slots[slot] is { } connection)
                visit(connection);
        }
    }
}
