using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// The table of this worker's open and opening connections. The pacer adds and closes slots, connection
/// fibers remove themselves when they end, and the open model picks alive ones round-robin (any thread) from a snapshot
/// rebuilt only when the alive set changed. One lock; O(1) add and remove (swap with the last).
/// </summary>
internal sealed class ActiveSlots
{
    private readonly object _gate = new();
    private readonly List<Slot> _active = new();
    private Slot[] _aliveSnapshot = [];
    private bool _aliveDirty;
    private long _roundRobin;
    private int _version;

    /// <summary>Changes whenever a slot becomes alive or an alive one leaves: lists built from <see cref="Alive"/>
    /// are stale once it moved.</summary>
    public int Version => Volatile.Read(ref _version);

    public void Add(Slot slot)
    {
        lock (_gate)
        {
            slot.ActiveIndex = _active.Count;
            _active.Add(slot);
        }
    }

    public void Remove(Slot slot)
    {
        lock (_gate)
        {
            int i = slot.ActiveIndex;
            if (i < 0) return;
            var moved = _active[^1];
            _active[i] = moved;
            moved.ActiveIndex = i;
            _active.RemoveAt(_active.Count - 1);
            slot.ActiveIndex = -1;
            if (slot.Alive) MarkDirty();
        }
    }

    /// <summary>A connection fiber's slot is connected and may take messages.</summary>
    public void MarkAlive(Slot slot)
    {
        lock (_gate)
        {
            slot.Alive = true;
            MarkDirty();
        }
    }

    private void MarkDirty()
    {
        _aliveDirty = true;
        Interlocked.Increment(ref _version);
    }

    /// <summary>The newest slot, taken out of the table (the one a ramp-down closes), or null.</summary>
    public Slot? TakeNewest()
    {
        Slot? newest;
        lock (_gate)
            newest = _active.Count > 0 ? _active[^1] : null;
        if (newest is not null) Remove(newest);
        return newest;
    }

    /// <summary>The next alive slot in turn, or null when none is.</summary>
    public Slot? NextAlive()
    {
        var alive = Alive();
        return alive.Length == 0 ? null : alive[(Interlocked.Increment(ref _roundRobin) & long.MaxValue) % alive.Length];
    }

    public Slot[] Alive()
    {
        lock (_gate)
        {
            if (_aliveDirty)
            {
                _aliveSnapshot = _active.Where(s => s.Alive).ToArray();
                _aliveDirty = false;
            }
            return _aliveSnapshot;
        }
    }

    /// <summary>Marks every slot closing and groups them by loop, so each loop closes its own; also counts
    /// the messages they still owed (queued or on the wire).</summary>
    public (Dictionary<EventLoop, List<Slot>> ByLoop, long Unfinished) CloseAll()
    {
        long unfinished = 0;
        var byLoop = new Dictionary<EventLoop, List<Slot>>();
        lock (_gate)
        {
            foreach (var slot in _active)
            {
                unfinished += Volatile.Read(ref slot.Queued) + (Volatile.Read(ref slot.InFlightSince) != 0 ? 1 : 0);
                slot.Closing = true;
                if (!byLoop.TryGetValue(slot.Loop, out var list)) byLoop[slot.Loop] = list = new List<Slot>();
                list.Add(slot);
            }
        }
        return (byLoop, unfinished);
    }
}
