namespace Shootout.LoadGen.Neighbours;

/// <summary>The coordinator's handle on the neighbours, wherever they run (see <see cref="NeighboursLayout"/>).</summary>
internal interface INeighbours : IAsyncDisposable
{
    /// <summary>Completes once every neighbour is connected: null, or the first failure.</summary>
    Task<string?> ConnectAsync();

    /// <summary>The floods start; the never-reading connections start writing.</summary>
    void Go();

    /// <summary>The counters now (the moment the probes' clock starts, and the end).</summary>
    Task<FleetSnapshot> SnapshotAsync(string kind);

    /// <summary>The latest counters, refreshed about once a second (for live progress and metrics).</summary>
    FleetSnapshot? Latest { get; }

    /// <summary>The child's process id, when the neighbours run in one.</summary>
    int? Pid { get; }
}

/// <summary>The neighbours in this process, on their own event loops.</summary>
internal sealed class LocalNeighbours(NeighboursPlan plan) : INeighbours
{
    private readonly NeighbourFleet _fleet = new(plan);

    public Task<string?> ConnectAsync() => _fleet.ConnectAsync();

    public void Go() => _fleet.Go();

    public Task<FleetSnapshot> SnapshotAsync(string kind) => Task.FromResult(_fleet.Snapshot(kind));

    public FleetSnapshot? Latest => _fleet.Snapshot(FleetSnapshot.Tick);

    public int? Pid => null;

    public ValueTask DisposeAsync() => _fleet.DisposeAsync();
}
