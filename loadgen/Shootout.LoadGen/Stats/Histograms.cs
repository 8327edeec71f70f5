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

    public static string Encode(HistogramBase histogram)
    {
        var bytes = new byte[histogram.GetNeededByteBufferCapacity() + 64];
        int length = histogram.EncodeIntoCompressedByteBuffer(ByteBuffer.Allocate(bytes));
        return Convert.ToBase64String(bytes, 0, length);
    }

    public static HistogramBase Decode(string base64) =>
        HistogramEncoding.DecodeFromCompressedByteBuffer(ByteBuffer.Allocate(Convert.FromBase64String(base64)), HighestMicros);

    public static long MicrosSince(long stopwatchTimestamp, long now) =>
        Math.Max(1, (now - stopwatchTimestamp) * 1_000_000 / System.Diagnostics.Stopwatch.Frequency);

    public static long Clamp(long micros) => Math.Clamp(micros, 1, HighestMicros);
}
