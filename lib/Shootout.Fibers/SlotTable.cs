namespace Shootout.Fibers;

/// <summary>
/// An event loop's table of connections: slot → connection, with a generation per placement. A loop
/// tags what it hands the kernel (epoll data, io_uring user_data) with both, so an event still queued
/// for a closed connection never reaches the next one in its slot: the caller compares the generation
/// it stored in the connection with the one in the tag. Owned by one loop thread (no lock).
/// </summary>
/// <remarks>
/// The free-list shape is the async engine's open-connection table again, but that one is locked and
/// has no generations; the netpoller depends on nothing of the servers, so it keeps its own.
/// </remarks>
public sealed class SlotTable<T>
    where T : class
{
    private T?[] _items = new T?[64];
    private int[] _free = new int[64];
    private int _freeCount;
    private uint _lastGeneration;

    /// <summary>Slots handed out so far (the highest one + 1): iterate 0..Used to visit every entry.</summary>
    public int Used { get; private set; }

    /// <summary>Entries in the table.</summary>
    public int Count => Used - _freeCount;

    /// <summary>Places <paramref name="item"/>; returns its slot and a generation never returned before (and never 0).</summary>
    public (int Slot, uint Generation) Add(T item)
    {
        int slot;
        if (_freeCount > 0)
        {
            slot = _free[--_freeCount];
        }
        else
        {
            if (Used == _items.Length)
                Array.Resize(ref _items, _items.Length * 2);
            slot = Used++;
        }
        uint generation = ++_lastGeneration;
        if (generation == 0)
            generation = ++_lastGeneration;
        _items[slot] = item;
        return (slot, generation);
    }

    /// <summary>Frees <paramref name="slot"/> if it still holds <paramref name="item"/> (idempotent).</summary>
    public bool Remove(int slot, T item)
    {
        if ((uint)slot >= (uint)Used || _items[slot] != item)
            return false;
        _items[slot] = null;
        if (_freeCount == _free.Length)
            Array.Resize(ref _free, _free.Length * 2);
        _free[_freeCount++] = slot;
        return true;
    }

    /// <summary>What <paramref name="slot"/> holds; null for a free or never-used slot.</summary>
    public T? this[uint slot] => slot < (uint)Used ? _items[slot] : null;
}
