using System.Globalization;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Bench;

/// <summary>
/// A server process's own counters at one moment, from /proc: memory, threads, CPU and descriptors. Context switches are
/// counted over a window (<see cref="Run.ServerUse.OverAsync"/>), which also keeps those of threads that end within it.
/// </summary>
internal sealed record ServerCounters(ProcessSample Sample, int OpenDescriptors)
{
    public static ServerCounters Read(int pid) =>
        new(ProcessSample.Read(pid) ?? throw new BenchFailure($"server process {pid} is gone"), DescriptorsOf(pid));

    public static int DescriptorsOf(int pid) => SafeList($"/proc/{pid}/fd").Length;

    private static string[] SafeList(string dir)
    {
        try
        {
            return Directory.GetFileSystemEntries(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}

/// <summary>The kernel's count of connects dropped because a listener's accept queue was full (TcpExt ListenOverflows).</summary>
internal static class ListenOverflows
{
    public static long Read()
    {
        try
        {
            string[] lines = File.ReadAllLines("/proc/net/netstat");
            for (int i = 0; i + 1 < lines.Length; i++)
            {
                if (!lines[i].StartsWith("TcpExt:", StringComparison.Ordinal)) continue;
                string[] names = lines[i].Split(' '), values = lines[i + 1].Split(' ');
                int at = Array.IndexOf(names, "ListenOverflows");
                return at >= 0 && at < values.Length ? long.Parse(values[at], CultureInfo.InvariantCulture) : 0;
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }
}
