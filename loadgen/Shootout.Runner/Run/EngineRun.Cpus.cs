using System.Globalization;
using Shootout.Common;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    private CpuSet? ServerCpus => settings.Cpus?.Server;
    private CpuSet? LoadGenCpus => settings.Cpus?.LoadGen;

    /// <summary>Told to the load generator (echo and hold; the neighbours phase tells it too), so its same_machine hint fires
    /// only when the roles do share CPUs.</summary>
    private string[] ServerCpusArgs => ServerCpus is { } cpus ? ["--server-cpus", cpus.ToString()] : [];

    /// <summary>
    /// The CPUs the roles really have, read back from /proc of the first server copy and the load generator (what taskset
    /// set, not what was asked); null when they share every CPU.
    /// </summary>
    private CpuRoles? CpusInUse(ServerFleet fleet, LoadGenRun loadGen)
    {
        if (settings.Cpus is not { } asked) return null;
        return new CpuRoles(CpuSet.OfProcess(fleet.Copies[0].Process.Pid) ?? asked.Server, CpuSet.OfProcess(loadGen.Pid) ?? asked.LoadGen);
    }

    /// <summary>Notes the load generator's CPU use in <paramref name="phase"/>; "" or "; load generator 34% of CPU 0" for the phase's line.</summary>
    private string NoteGenerator(EngineResult result, string phase, double? share)
    {
        if (share is not { } s) return "";
        var cpus = LoadGenCpus ?? CpuSet.Allowed();
        var use = new GeneratorCpu(phase, s, cpus.Count);
        result.GeneratorCpu.Add(use);
        return string.Create(CultureInfo.InvariantCulture,
            $"; load generator {s * 100:0}% of CPU{(cpus.Count == 1 ? "" : "s")} {cpus}{(use.IsSaturated ? " (saturated)" : "")}");
    }
}
