using System.Globalization;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Bench;

/// <summary>
/// A server process's own counters at one moment, from /proc: memory, threads, descriptors, CPU and context switches
/// (summed over its threads: /proc/PID/status counts switches of the main thread only).
/// </summary>
internal sealed record ServerCounters(ProcessSample Sample, int OpenDescriptors, long VoluntarySwitches, long InvoluntarySwitches)
{
    public static ServerCounters Read(int pid)
    {
        var sample = ProcessSample.Read(pid) ?? throw new BenchFailure($"server process {pid} is gone");
        long voluntary = 0, involuntary = 0;
        foreach (string task in SafeList($"/proc/{pid}/task"))
        {
            try
            {
                foreach (string line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)) voluntary += Value(line);
                    else if (line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal)) involuntary += Value(line);
                }
            }
            catch (IOException)
            {
                // The thread ended between the listing and the read: its switches are gone with it.
            }
        }
        return new ServerCounters(sample, DescriptorsOf(pid), voluntary, involuntary);
    }

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

    private static long Value(string line) =>
        long.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture);
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
