using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// How much of each CPU's time the hypervisor gave to something else while a run went on (the "steal" column
/// of /proc/stat). On a virtual machine whose host is oversubscribed a vCPU can be off its physical core for
/// milliseconds at a time: no server and no client in the guest is then on time, so a latency tail or a rate
/// taken then bounds what the run can show, and the report says so beside the figures.
/// </summary>
internal sealed class StolenTime
{
    private readonly Dictionary<string, (long Steal, long Total)> _start;

    private StolenTime(Dictionary<string, (long Steal, long Total)> start) => _start = start;

    public static StolenTime Start() => new(Read());

    /// <summary>Per CPU ("cpu0", "cpu1"…), the share of its time stolen since <see cref="Start"/>; empty where /proc does not say.</summary>
    public IReadOnlyDictionary<string, double> Shares()
    {
        var now = Read();
        var shares = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (cpu, (steal, total)) in now)
        {
            if (!_start.TryGetValue(cpu, out var before) || total <= before.Total) continue;
            shares[cpu] = (double)(steal - before.Steal) / (total - before.Total);
        }
        return shares;
    }

    /// <summary>One line for the report's notes when any CPU lost 1% or more, else null.</summary>
    public string? Note()
    {
        var shares = Shares();
        if (shares.Count == 0 || shares.Values.Max() < 0.01) return null;
        string each = string.Join(", ", shares.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value * 100:0}%")));
        return $"the hypervisor took {each} of the CPUs' time during this run (steal): this machine is a virtual one on a busy host, " +
               "and while a vCPU is off its core nothing runs on it, so latency tails and rates bear that bound";
    }

    private static Dictionary<string, (long Steal, long Total)> Read()
    {
        var cpus = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        try
        {
            foreach (string line in File.ReadLines("/proc/stat"))
            {
                // cpuN user nice system idle iowait irq softirq steal …: only the per-CPU lines, not the "cpu" sum.
                if (!line.StartsWith("cpu", StringComparison.Ordinal) || line.Length < 4 || !char.IsAsciiDigit(line[3])) continue;
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 9) continue;
                long total = fields.Skip(1).Take(8).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
                cpus[fields[0]] = (long.Parse(fields[8], CultureInfo.InvariantCulture), total);
            }
        }
        catch (IOException)
        {
        }
        return cpus;
    }
}
