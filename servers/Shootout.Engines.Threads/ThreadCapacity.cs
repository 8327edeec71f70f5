using Shootout.Common;
using Shootout.Server.Core;

namespace Shootout.Engines.Threads;

/// <summary>
/// The OS limits that cap how many connection threads this process can have. Read once at start so a
/// run that cannot reach its target says why up front instead of failing half-way.
/// </summary>
internal static class ThreadCapacity
{
    public static void WarnIfBelow(int wanted, ServerLog log)
    {
        var limits = new List<(string Name, long Cap)>();
        if (ReadLong("/proc/sys/kernel/pid_max") is { } pidMax)
            limits.Add(("kernel.pid_max", pidMax));
        if (ReadLong("/proc/sys/kernel/threads-max") is { } threadsMax)
            limits.Add(("kernel.threads-max", threadsMax));
        // Each thread's stack takes two mappings (the stack and its guard page).
        if (ReadLong("/proc/sys/vm/max_map_count") is { } maps)
            limits.Add(("vm.max_map_count", maps / 2));
        if (FileLimit.Soft() is not null)
            limits.Add(("the open-file limit (ulimit -n)", FileLimit.ConnectionBudget()));

        var tightest = limits.Where(l => l.Cap < wanted).OrderBy(l => l.Cap).FirstOrDefault();
        if (tightest.Name is not null)
            log.Warn($"threads engine capped at about {tightest.Cap} connections by {tightest.Name} (asked for {wanted})");
    }

    private static long? ReadLong(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), out long value) ? value : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
