using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// One reading of a process and all its descendants, for a server that forks (socat: a process per
/// connection): memory as Σ PSS, threads summed, CPU including what exited children used.
/// </summary>
/// <remarks>
/// Σ RSS over forked processes counts every shared page (libc, the parent's heap until written) once per
/// process: 1,000 socat children would "use" gigabytes they share. PSS divides each shared page among
/// the processes that map it, so the sum is the tree's physical memory. CPU: a child that exited and was
/// waited for is in its parent's cutime/cstime, so Σ(utime + cutime) over the living tree never goes back.
/// </remarks>
internal static class ProcessTreeSample
{
    /// <summary>Null when the root is gone.</summary>
    public static ProcessSample? Read(int root)
    {
        if (Read(root, out var total) is false) return null;
        foreach (var pid in ProcessTree.Descendants(root))
            if (Read(pid, out var s)) total += s;
        return total;
    }

    private static bool Read(int pid, out ProcessSample sample)
    {
        sample = default;
        if (ProcessSample.Read(pid) is not { } basic) return false;
        long pss = basic.RssBytes;
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/smaps_rollup"))
            {
                if (!line.StartsWith("Pss:", StringComparison.Ordinal)) continue;
                pss = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                break;
            }
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // cutime and cstime are fields 16 and 17 (13 and 14 counted after the command name).
            double childUser = long.Parse(fields[13], CultureInfo.InvariantCulture) / Native.ClockTicks;
            double childSystem = long.Parse(fields[14], CultureInfo.InvariantCulture) / Native.ClockTicks;
            sample = new ProcessSample(pss, basic.Threads, basic.CpuUserSeconds + childUser, basic.CpuSystemSeconds + childSystem);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return false;
        }
    }
}
