namespace Shootout.Server.Core;

/// <summary>
/// Plain counters the engines bump and the host exports at scrape time. Engines never see the
/// metrics library, and a scrape costs O(1) whatever the number of connections.
/// </summary>
public sealed class ServerStats
{
    private long _open;
    private long _accepted;
    private long _bytesEchoed;
    private readonly long[] _rejected = new long[RejectReasons.All.Count];

    public long OpenConnections => Volatile.Read(ref _open);
    public long Accepted => Volatile.Read(ref _accepted);
    public long BytesEchoed => Volatile.Read(ref _bytesEchoed);
    public long Rejected(RejectReason reason) => Volatile.Read(ref _rejected[(int)reason]);

    public void OnAccepted() => Interlocked.Increment(ref _accepted);
    public void OnOpened() => Interlocked.Increment(ref _open);
    public void OnClosed() => Interlocked.Decrement(ref _open);
    public void OnRejected(RejectReason reason) => Interlocked.Increment(ref _rejected[(int)reason]);
    public void OnEchoed(int bytes) => Interlocked.Add(ref _bytesEchoed, bytes);
}
