using System.Globalization;

namespace Shootout.LoadGen.Neighbours;

/// <summary>Sizes as people write them: "65536", "64k", "64KiB", "1m", "1MiB" (k and m are binary, as in buffer sizes).</summary>
internal static class ByteSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        text = text.Trim();
        (string Suffix, long Scale)[] units = [("kib", 1024), ("mib", 1 << 20), ("kb", 1024), ("mb", 1 << 20), ("k", 1024), ("m", 1 << 20), ("b", 1)];
        long scale = 1;
        foreach (var (suffix, s) in units)
        {
            if (!text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            text = text[..^suffix.Length].TrimEnd();
            scale = s;
            break;
        }
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > long.MaxValue / scale) return false;
        bytes = n * scale;
        return true;
    }
}
