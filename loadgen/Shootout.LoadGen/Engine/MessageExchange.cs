using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>One message out and its echo back, checked byte for byte and timed: round trip, time to the
/// first byte, and in the open model how late the send left.</summary>
internal sealed class MessageExchange(LoadPlan plan, Schedule schedule, WorkerStats stats, RunClock clock, SampleLog? samples)
{
    /// <summary>
    /// One exchange before the measured clock, recorded nowhere: the probe's path (this exchange, the connection's
    /// reads and writes, their pooled buffers) has run once before its first measured send. Measured beside 16
    /// floods: without it, the first quarter second of a probe's measurement held round trips of 13-58 ms (the
    /// path's first use), which alone set the run's p99.
    /// </summary>
    public ValueTask WarmUpAsync(Slot slot, NetConnection conn) => RunAsync(slot, conn, seq: -1, scheduled: 0, record: false);

    /// <summary>Sends one message and reads its echo, under the message timeout (a connection deadline).
    /// Latency counts from <paramref name="scheduled"/> when given (open model: a late send is the server's
    /// delay too), else from the moment of sending. <paramref name="readyAt"/> is when the send could have
    /// left at the earliest (its scheduled time, or later if the connection's previous echo was still
    /// outstanding): send lag counts from there, so it is the generator's delay, not the server's.
    /// Buffers are pooled for the exchange only.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RunAsync(Slot slot, NetConnection conn, long seq, long scheduled, long readyAt = 0, bool record = true)
    {
        int size = plan.MessageSize;
        byte[] tx = ArrayPool<byte>.Shared.Rent(size), rx = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Fill(tx.AsSpan(0, size), slot.Global, seq);
            long sent = Stopwatch.GetTimestamp();
            if (record && readyAt != 0) stats.SendLag.RecordValue(Histograms.Clamp(Histograms.MicrosSince(readyAt, sent)));
            Volatile.Write(ref slot.InFlightSince, sent);
            conn.SetDeadline(plan.MessageTimeout);
            await conn.WriteAsync(tx.AsMemory(0, size));
            int first = await conn.ReadAsync(rx.AsMemory(0, size));
            if (first == 0) throw new PeerClosedException();
            if (record) stats.FirstByte.RecordValue(Histograms.Clamp(Histograms.MicrosSince(sent, Stopwatch.GetTimestamp())));
            await ClientIo.ReadExactlyAsync(conn, rx.AsMemory(first, size - first));
            conn.SetDeadline(null);
            long now = Stopwatch.GetTimestamp();
            Volatile.Write(ref slot.InFlightSince, 0);
            long latency = Histograms.MicrosSince(scheduled != 0 ? scheduled : sent, now);
            if (!tx.AsSpan(0, size).SequenceEqual(rx.AsSpan(0, size)))
            {
                stats.Error(ErrorKinds.Mismatch);
                stats.MessagesFailed(1);
                samples?.Write(now, slot.Global, latency, ErrorKinds.Mismatch);
                return;
            }
            if (!record) return;
            stats.MessageOk(latency, size, schedule.PhaseAt(clock.Seconds(scheduled != 0 ? scheduled : sent)));
            slot.Progress++;
            samples?.Write(now, slot.Global, latency, "ok");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tx);
            ArrayPool<byte>.Shared.Return(rx);
        }
    }

    /// <summary>Message bytes that differ per connection and per message, so a crossed or stale echo shows.</summary>
    internal static void Fill(Span<byte> buffer, long connection, long seq)
    {
        ulong x = (ulong)connection * 0x9E3779B97F4A7C15UL ^ (ulong)(seq + 1) * 0xBF58476D1CE4E5B9UL;
        for (int i = 0; i < buffer.Length; i++)
        {
            if ((i & 7) == 0) x = x * 6364136223846793005UL + 1442695040888963407UL;
            buffer[i] = (byte)(x >> ((i & 7) * 8));
        }
    }
}
