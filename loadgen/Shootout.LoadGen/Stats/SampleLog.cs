using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace Shootout.LoadGen.Stats;

/// <summary>
/// <c>--samples FILE</c>: one CSV row per message (<c>unix_time_us,connection,latency_us,result</c>) for
/// analysis elsewhere. Streamed: rows go through a bounded queue to one writer task, so memory stays
/// bounded and a loop thread never waits on the disk; a row the writer cannot keep up with is dropped and
/// counted, and past <see cref="Limit"/> rows no more are written. Both counts go in summary.json.
/// </summary>
internal sealed class SampleLog : IAsyncDisposable
{
    public const string Header = "unix_time_us,connection,latency_us,result";
    private const int QueueCapacity = 64 * 1024;

    private readonly Channel<Row> _rows = Channel.CreateBounded<Row>(new BoundedChannelOptions(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });
    private readonly long _baseTimestamp = Stopwatch.GetTimestamp();
    private readonly long _baseUnixMicros = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1000;
    private readonly Task _writer;
    private long _accepted;
    private long _dropped;

    private readonly record struct Row(long Timestamp, long Connection, long LatencyMicros, string Result);

    public SampleLog(string path, long limit)
    {
        Path = path;
        Limit = limit;
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 16);
        _writer = Task.Run(() => WriteAsync(new StreamWriter(stream) { AutoFlush = false }));
    }

    public string Path { get; }

    public long Limit { get; }

    public long Written => Math.Min(Volatile.Read(ref _accepted), Limit);

    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Any thread: queues one row, or counts it dropped.</summary>
    public void Write(long timestamp, long connection, long latencyMicros, string result)
    {
        if (Interlocked.Increment(ref _accepted) > Limit || !_rows.Writer.TryWrite(new Row(timestamp, connection, latencyMicros, result)))
        {
            Interlocked.Decrement(ref _accepted);
            Interlocked.Increment(ref _dropped);
        }
    }

    private async Task WriteAsync(StreamWriter w)
    {
        await using (w)
        {
            await w.WriteLineAsync(Header).ConfigureAwait(false);
            await foreach (var r in _rows.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                long unix = _baseUnixMicros + (r.Timestamp - _baseTimestamp) * 1_000_000 / Stopwatch.Frequency;
                await w.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{unix},{r.Connection},{r.LatencyMicros},{r.Result}"))
                    .ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _rows.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
