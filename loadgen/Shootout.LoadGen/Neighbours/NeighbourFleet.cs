using System.Diagnostics;
using System.Net;
using Shootout.Fibers;
using Shootout.LoadGen.Engine;
using Shootout.LoadGen.Net;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// The heavy neighbours: floods that keep up to a window of bytes in flight, writing chunks as fast as the
/// window allows and reading everything back, and connections that write until backpressure stops them and
/// never read. They run on event loops of their own (one per core): nothing of theirs shares a loop with a probe.
/// </summary>
internal sealed class NeighbourFleet : IAsyncDisposable
{
    private static readonly long Freq = Stopwatch.Frequency;

    private readonly NeighboursPlan _plan;
    private readonly StreamPattern _pattern;
    private readonly EventLoopGroup _group;
    private readonly Stream[] _floods;
    private readonly Stream[] _neverReading;
    private long _start;
    private volatile bool _stopping;

    /// <summary>One neighbour connection; counters written on its loop, read by snapshots elsewhere.</summary>
    private sealed class Stream(int index, EventLoop loop)
    {
        public readonly int Index = index;
        public readonly EventLoop Loop = loop;
        public NetConnection? Connection;
        public long Sent, Received, LastProgress;
        public volatile string? Error;
        public volatile bool ClosedByServer;
    }

    public NeighbourFleet(NeighboursPlan plan)
    {
        _plan = plan;
        _pattern = new StreamPattern(plan.MessageSize);
        int total = plan.Floods + plan.NeverReading;
        _group = ClientLoops.Create(Math.Max(1, Math.Min(Environment.ProcessorCount, total)), total, _ => { });
        int next = 0;
        _floods = Enumerable.Range(0, plan.Floods).Select(i => new Stream(i, _group.Loops[next++ % _group.Loops.Count])).ToArray();
        _neverReading = Enumerable.Range(0, plan.NeverReading).Select(i => new Stream(plan.Floods + i, _group.Loops[next++ % _group.Loops.Count])).ToArray();
    }

    /// <summary>Opens every connection; returns the first failure as "kind: target", or null.</summary>
    public async Task<string?> ConnectAsync()
    {
        var all = _floods.Concat(_neverReading).ToArray();
        var failures = new string?[all.Length];
        await Task.WhenAll(all.GroupBy(s => s.Loop).Select(g => g.Key.Spawn(async () =>
        {
            foreach (var s in g)
            {
                var target = IPEndPoint.Parse(_plan.Targets[s.Index % _plan.Targets.Count]);
                try { s.Connection = await s.Loop.ConnectAsync(target, timeout: _plan.ConnectTimeout); }
                catch (Exception e) { failures[s.Index] = $"{ErrorKinds.Classify(e)}: {target}"; }
            }
        }))).ConfigureAwait(false);
        return failures.FirstOrDefault(f => f is not null);
    }

    /// <summary>Starts the floods and the never-reading writers; the neighbours' clock starts here.</summary>
    public void Go()
    {
        _start = Stopwatch.GetTimestamp();
        foreach (var loop in _group.Loops)
        {
            var floods = _floods.Where(s => s.Loop == loop).ToArray();
            var writers = _neverReading.Where(s => s.Loop == loop).ToArray();
            loop.Post(() =>
            {
                foreach (var s in floods) _ = FloodAsync(s);
                foreach (var s in writers) _ = NeverReadAsync(s);
            });
        }
    }

    public FleetSnapshot Snapshot(string kind)
    {
        long now = Stopwatch.GetTimestamp();
        return new FleetSnapshot
        {
            Kind = kind,
            Elapsed = _start == 0 ? 0 : (double)(now - _start) / Freq,
            FloodSent = _floods.Select(s => Volatile.Read(ref s.Sent)).ToArray(),
            FloodReceived = _floods.Select(s => Volatile.Read(ref s.Received)).ToArray(),
            FloodErrors = _floods.Select(s => s.Error).ToArray(),
            NeverReadingSent = _neverReading.Select(s => Volatile.Read(ref s.Sent)).ToArray(),
            NeverReadingBlockedSeconds = _neverReading.Select(s => Volatile.Read(ref s.LastProgress) is var t and > 0 ? (double)(now - t) / Freq : 0).ToArray(),
            NeverReadingClosed = _neverReading.Select(s => s.ClosedByServer).ToArray(),
            NeverReadingErrors = _neverReading.Select(s => s.Error).ToArray(),
        };
    }

    /// <summary>
    /// One flood, in one fiber (a netpoll connection runs one operation at a time): write a chunk whenever the
    /// window has room for it, otherwise read what has come back. The window bounds the bytes in flight, so
    /// the kernel's buffers on both sides hold them and neither end blocks the other for good. A flood that
    /// makes no progress for the message timeout fails with "timeout": starved, not merely slow.
    /// </summary>
    private async Fiber FloodAsync(Stream s)
    {
        var conn = s.Connection!;
        int size = _plan.MessageSize;
        var rx = new byte[size];
        long inFlight = 0;
        try
        {
            while (!_stopping)
            {
                conn.SetDeadline(_plan.MessageTimeout);
                if (inFlight + size <= _plan.Window)
                {
                    await conn.WriteAsync(_pattern.At(s.Index, s.Sent, size));
                    inFlight += size;
                    Volatile.Write(ref s.Sent, s.Sent + size);
                    continue;
                }
                int n = await conn.ReadAsync(rx);
                if (n == 0) throw new PeerClosedException();
                if (!_pattern.Matches(s.Index, s.Received, rx.AsSpan(0, n)))
                {
                    s.Error = ErrorKinds.Mismatch;
                    return;
                }
                inFlight -= n;
                Volatile.Write(ref s.Received, s.Received + n);
            }
        }
        catch (Exception e) when (!_stopping)
        {
            s.Error = ErrorKinds.Classify(e);
        }
        catch (Exception) { /* closed on purpose */ }
    }

    /// <summary>Writes until the server stops taking bytes (its buffers and ours are full), then stays blocked in that write.</summary>
    private async Fiber NeverReadAsync(Stream s)
    {
        var conn = s.Connection!;
        // Smaller writes than a flood's, so the count of bytes taken is exact to 16 KiB.
        int size = Math.Min(_plan.MessageSize, 16 * 1024);
        Volatile.Write(ref s.LastProgress, Stopwatch.GetTimestamp());
        try
        {
            while (!_stopping)
            {
                await conn.WriteAsync(_pattern.At(s.Index, s.Sent, size));
                Volatile.Write(ref s.Sent, s.Sent + size);
                Volatile.Write(ref s.LastProgress, Stopwatch.GetTimestamp());
            }
        }
        catch (Exception e) when (!_stopping)
        {
            // Closing a client that never reads is a server's right; it is reported, not counted as an error.
            if (ErrorKinds.Classify(e) is ErrorKinds.Reset or ErrorKinds.Closed) s.ClosedByServer = true;
            else s.Error = ErrorKinds.Classify(e);
        }
        catch (Exception) { /* closed on purpose */ }
    }

    /// <summary>Resets every connection (no TIME_WAIT left behind) and stops the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        foreach (var loop in _group.Loops)
        {
            var mine = _floods.Concat(_neverReading).Where(s => s.Loop == loop).ToArray();
            try { loop.Post(() => { foreach (var s in mine) s.Connection?.Reset(); }); }
            catch (InvalidOperationException) { /* loop already stopped */ }
        }
        await _group.StopAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
    }
}
