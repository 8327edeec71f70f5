using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>One message out and its echo back, checked byte for byte and timed.</summary>
internal sealed class MessageExchange(LoadPlan plan, WorkerStats stats)
{
    /// <summary>Sends one message and reads its echo, under the message timeout (a connection deadline).
    /// Latency counts from <paramref name="scheduled"/> when given (open model: a late send is the server's
    /// delay too), else from the moment of sending. Buffers are pooled for the exchange only.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RunAsync(Slot slot, NetConnection conn, long seq, long scheduled)
    {
        int size = plan.MessageSize;
        byte[] tx = ArrayPool<byte>.Shared.Rent(size), rx = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            Fill(tx.AsSpan(0, size), slot.Global, seq);
            long sent = Stopwatch.GetTimestamp();
            Volatile.Write(ref slot.InFlightSince, sent);
            conn.SetDeadline(plan.MessageTimeout);
            await conn.WriteAsync(tx.AsMemory(0, size));
            await ClientIo.ReadExactlyAsync(conn, rx.AsMemory(0, size));
            conn.SetDeadline(null);
            long now = Stopwatch.GetTimestamp();
            Volatile.Write(ref slot.InFlightSince, 0);
            if (!tx.AsSpan(0, size).SequenceEqual(rx.AsSpan(0, size)))
            {
                stats.Error(ErrorKinds.Mismatch);
                stats.MessagesFailed(1);
                return;
            }
            stats.MessageOk(Histograms.MicrosSince(scheduled != 0 ? scheduled : sent, now), size);
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
