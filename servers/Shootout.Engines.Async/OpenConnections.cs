using Microsoft.AspNetCore.Connections;

namespace Shootout.Engines.Async;

/// <summary>
/// The connections being served, so a stop can abort them all. A slot array with a free list:
/// 12 bytes per connection, where a concurrent dictionary would cost several times that.
/// </summary>
internal sealed class OpenConnections
{
    private readonly Lock _lock = new();
    private ConnectionContext?[] _slots = new ConnectionContext?[1024];
    private int[] _free = new int[1024];
    private int _freeCount;
    private int _used;

    public int Add(ConnectionContext connection)
    {
        lock (_lock)
        {
            int slot;
            if (_freeCount > 0)
                slot = _free[--_freeCount];
            else
            {
                if (_used == _slots.Length)
                {
                    Array.Resize(ref _slots, _slots.Length * 2);
                    Array.Resize(ref _free, _free.Length * 2);
                }
                slot = _used++;
            }
            _slots[slot] = connection;
            return slot;
        }
    }

    public void Remove(int slot)
    {
        lock (_lock)
        {
            _slots[slot] = null;
            _free[_freeCount++] = slot;
        }
    }

    public void AbortAll()
    {
        ConnectionContext?[] snapshot;
        lock (_lock)
            snapshot = _slots[.._used];
        foreach (var connection in snapshot)
            connection?.Abort(new ConnectionAbortedException("server stopping"));
    }
}
