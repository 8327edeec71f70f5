using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;

namespace Shootout.LoadGen.Stats;

/// <summary>Live counters of one worker, written from many connections at once; read once a second into a
/// <see cref="Tick"/> of deltas.</summary>
internal sealed class WorkerStats(int phases)
{
    public long Attempts;
    public long Established;
    public long ConnectFailed;
    public long Alive;
    public long Ok;
    public long Failed;
    public long BytesSent;
    public long BytesReceived;

    /// <summary>Connections the server closed while the client was still writing and never reading: the server's
    /// right against a client that never reads (docs/fairness.md), counted apart from errors.</summary>
    public long ClosedByServer;
    public long FirstConnectTimestamp;
    public long LastConnectTimestamp;

    public readonly ConcurrentDictionary<string, long> Errors = new();
    public readonly Recorder Latency = Histograms.CreateRecorder();
    public readonly Recorder Connect = Histograms.CreateRecorder();

    /// <summary>How late each scheduled send left, beyond any wait for the connection's previous echo: the
    /// generator's own delay (open model only).</summary>
    public readonly Recorder SendLag = Histograms.CreateRecorder();

    /// <summary>From the actual send to the first byte of the echo.</summary>
    public readonly Recorder FirstByte = Histograms.CreateRecorder();

    /// <summary>Per phase: messages echoed, and (open model) messages the pacer scheduled.</summary>
    public readonly long[] PhaseOk = new long[Math.Max(1, phases)];
    public readonly long[] PhaseDue = new long[Math.Max(1, phases)];

    public void Error(string kind, long count = 1) => Errors.AddOrUpdate(kind, count, (_, v) => v + count);

    public void ConnectAttempt()
    {
        Interlocked.Increment(ref Attempts);
        Interlocked.CompareExchange(ref FirstConnectTimestamp, Stopwatch.GetTimestamp(), 0);
    }

    public void Connected(long startTimestamp)
    {
        long now = Stopwatch.GetTimestamp();
        Connect.RecordValue(Histograms.Clamp(Histograms.MicrosSince(startTimestamp, now)));
        Interlocked.Increment(ref Established);
        Interlocked.Increment(ref Alive);
        Volatile.Write(ref LastConnectTimestamp, now);
    }

    public void ConnectFailure(string kind)
    {
        Interlocked.Increment(ref ConnectFailed);
        Error(kind);
    }

    public void MessageOk(long latencyMicros, int bytes, int phase)
    {
        Latency.RecordValue(Histograms.Clamp(latencyMicros));
        Interlocked.Increment(ref PhaseOk[phase]);
        Interlocked.Increment(ref Ok);
        Interlocked.Add(ref BytesSent, bytes);
        Interlocked.Add(ref BytesReceived, bytes);
    }

    public void MessagesFailed(long count) => Interlocked.Add(ref Failed, count);

    private readonly ConcurrentQueue<long> _progress = new();

    /// <summary>An ended connection's own progress (messages echoed, or bytes for floods and writers that never read):
    /// the shares the fairness figures compare.</summary>
    public void ConnectionEnded(long progress) => _progress.Enqueue(progress);

    public long[] ConnectionProgress() => _progress.ToArray();
}
