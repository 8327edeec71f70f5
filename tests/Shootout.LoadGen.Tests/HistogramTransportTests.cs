using HdrHistogram;
using Shootout.LoadGen.Stats;
using Xunit;

namespace Shootout.LoadGen.Tests;

public class HistogramTransportTests
{
    [Fact]
    public void Encoded_histograms_decode_to_the_same_counts_and_merge()
    {
        var a = Histograms.Create();
        var b = Histograms.Create();
        for (int i = 1; i <= 1000; i++) a.RecordValue(i * 10);
        b.RecordValue(2_000_000);

        var merged = Histograms.Create();
        merged.Add(Histograms.Decode(Histograms.Encode(a)));
        merged.Add(Histograms.Decode(Histograms.Encode(b)));

        Assert.Equal(1001, merged.TotalCount);
        Assert.InRange(merged.GetValueAtPercentile(50), 4990, 5030);
        Assert.InRange(merged.GetMaxValue(), 1_999_000, 2_001_000);
    }

    [Fact]
    public void An_empty_histogram_survives_the_trip()
    {
        var empty = Histograms.Decode(Histograms.Encode(Histograms.Create()));
        Assert.Equal(0, empty.TotalCount);
    }
}
