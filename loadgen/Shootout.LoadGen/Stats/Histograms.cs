using HdrHistogram;
using HdrHistogram.Utilities;

namespace Shootout.LoadGen.Stats;

/// <summary>Latency histograms in microseconds, 1 µs to one hour at three significant digits, and their
/// transport form (the library's compressed encoding, base64) between agents and the coordinator.</summary>
internal static class Histograms
{
    public const long HighestMicros = 3_600_000_000;

    public static LongHistogram Create() => new(1, HighestMicros, 3);

    public static Recorder CreateRecorder() =>
        new(1, HighestMicros, 3, (id, low, high, digits) => new LongHistogram(id, low, high, digits));

    /// <summary>
    /// The library's compressed encoding, base64 — exactly the payload of an HdrHistogram interval log line.
    /// It is taken from <see cref="HistogramLogWriter"/> because the library keeps its byte buffer's array to
    /// itself; the writer pads the payload to the buffer's capacity, so the padding is cut off here using the
    /// compressed length in the payload's header.
    /// </summary>
    public static string Encode(HistogramBase histogram)
    {
        using var stream = new MemoryStream();
        HistogramLogWriter.Write(stream, DateTime.UnixEpoch, histogram);
        var log = DecodeText(stream.ToArray());
        var line = log.Split('\n').Select(l => l.Trim()).Last(l => l.Length > 0 && l[0] != '#' && l[0] != '"');
        var payload = Convert.FromBase64String(line[(line.LastIndexOf(',') + 1)..]);
        int compressed = payload[4] << 24 | payload[5] << 16 | payload[6] << 8 | payload[7];
        return Convert.ToBase64String(payload, 0, Math.Min(payload.Length, 8 + compressed));
    }

    public static HistogramBase Decode(string base64) =>
        HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(base64)), HighestMicros);

    private static string DecodeText(byte[] bytes)
    {
        // The writer's stream encoding has varied between releases; its byte-order mark tells.
        using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public static long MicrosSince(long stopwatchTimestamp, long now) =>
        Math.Max(1, (now - stopwatchTimestamp) * 1_000_000 / System.Diagnostics.Stopwatch.Frequency);

    public static long Clamp(long micros) => Math.Clamp(micros, 1, HighestMicros);
}
