namespace Shootout.Runner.Machine;

/// <summary>The machine the numbers were measured on.</summary>
internal sealed record MachineInfo(int Cores, long MemoryBytes, string Kernel, long RlimitNofile)
{
    public static MachineInfo Read() => new(
        Environment.ProcessorCount,
        MemInfo.Read().GetValueOrDefault("MemTotal"),
        File.ReadAllText("/proc/sys/kernel/osrelease").Trim(),
        OpenFileLimit());

    /// <summary>The soft open-file limit this process (and the children it starts) gets.</summary>
    public static long OpenFileLimit()
    {
        foreach (var line in File.ReadLines("/proc/self/limits"))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal)) continue;
            var parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.TryParse(parts[0], out long soft) ? soft : long.MaxValue;
        }
        return 1024;
    }
}

/// <summary>/proc/meminfo in bytes.</summary>
internal static class MemInfo
{
    public const string Path = "/proc/meminfo";

    public static Dictionary<string, long> Read(string path = Path)
    {
        var result = new Dictionary<string, long>();
        foreach (var line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0) continue;
            var parts = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0 || !long.TryParse(parts[0], out long v)) continue;
            result[line[..colon]] = parts.Length > 1 && parts[1] == "kB" ? v * 1024 : v;
        }
        return result;
    }

    /// <summary>
    /// Memory the kernel could hand out now without swapping (MemAvailable); MemFree plus page cache on
    /// kernels too old to report it. Null when the file cannot be read.
    /// </summary>
    public static long? AvailableBytes(string path = Path)
    {
        try
        {
            var m = Read(path);
            if (m.TryGetValue("MemAvailable", out long available)) return available;
            return m.TryGetValue("MemFree", out long free) ? free + m.GetValueOrDefault("Cached") : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Kernel slab memory (socket structures, dentries, skbuff heads…): Slab, or its two halves.</summary>
    public static long SlabBytes()
    {
        var m = Read();
        return m.TryGetValue("Slab", out long slab) ? slab
            : m.GetValueOrDefault("SUnreclaim") + m.GetValueOrDefault("SReclaimable");
    }
}
