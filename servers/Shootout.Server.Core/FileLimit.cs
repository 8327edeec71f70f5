namespace Shootout.Server.Core;

/// <summary>The process's open-file limit (RLIMIT_NOFILE), which caps connections per process.</summary>
public static class FileLimit
{
    /// <summary>The soft limit (what `ulimit -n` shows), or null where /proc does not say.</summary>
    public static long? Soft()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/limits"))
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                    return long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], out long soft) ? soft : null;
        }
        catch (IOException)
        {
        }
        return null;
    }

    /// <summary>
    /// Descriptors kept back from connections: listeners, epoll and event descriptors, the metrics
    /// endpoint, and what the runtime itself opens (starting a thread needs some: a runtime that
    /// runs out while starting one aborts the process).
    /// </summary>
    public const int Reserve = 512;

    /// <summary>How many connections this process can hold before it would run out of descriptors.</summary>
    public static int ConnectionBudget() => Soft() is { } soft ? (int)Math.Clamp(soft - Reserve, 1, int.MaxValue) : int.MaxValue;
}
