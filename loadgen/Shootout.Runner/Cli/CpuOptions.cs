using System.CommandLine;
using Shootout.Common;
using Shootout.Common.Cli;

namespace Shootout.Runner.Cli;

/// <summary>
/// Which CPUs the server processes and the load generator run on: disjoint sets by default wherever there are
/// two CPUs or more (<see cref="CpuRoles.Split"/>), so a figure is the server's and not the pair's; either set
/// may be given, the other is then the rest; --shared-cpus lets them share every CPU, as before.
/// </summary>
internal static class CpuOptions
{
    private static readonly Option<CpuSet?> Server = new("--server-cpus")
    {
        Description = "CPUs for the server processes (taskset list, e.g. 1 or 2-3; default: the larger half of the CPUs this runner may use).",
        HelpName = "LIST",
        CustomParser = r => OptionParsers.Cpus(r, usable: true),
    };
    private static readonly Option<CpuSet?> LoadGen = new("--loadgen-cpus")
    {
        Description = "CPUs for the load generator and its agents (default: the CPUs the servers do not have).",
        HelpName = "LIST",
        CustomParser = r => OptionParsers.Cpus(r, usable: true),
    };
    private static readonly Option<bool> Shared = new("--shared-cpus")
    {
        Description = "Let the servers and the load generator share every CPU (no taskset): figures are then partly the generator's.",
    };

    public static void AddTo(Command command)
    {
        foreach (Option o in new Option[] { Server, LoadGen, Shared }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            CpuSet? server, loadGen;
            try
            {
                server = r.GetValue(Server);
                loadGen = r.GetValue(LoadGen);
            }
            catch (InvalidOperationException)
            {
                return; // a list that does not parse: its option said so already
            }
            if (r.GetValue(Shared) && (server is not null || loadGen is not null))
                r.AddError("--shared-cpus: cannot be combined with --server-cpus or --loadgen-cpus");
            else if (server is not null && loadGen is not null && server.Overlaps(loadGen))
                r.AddError($"--server-cpus {server} and --loadgen-cpus {loadGen} overlap: the roles must not share a CPU (or give --shared-cpus)");
            else if ((server ?? loadGen) is { } given && Rest(given) is null)
                r.AddError($"{(server is not null ? "--server-cpus" : "--loadgen-cpus")} {given}: leaves no CPU for the other role " +
                           $"(this runner may use {CpuSet.Allowed()}; give both, or --shared-cpus)");
        });
    }

    /// <summary>The roles' CPUs; null when they share every CPU (asked, or fewer than two CPUs).</summary>
    public static CpuRoles? Read(ParseResult parsed)
    {
        if (parsed.GetValue(Shared)) return null;
        var server = parsed.GetValue(Server);
        var loadGen = parsed.GetValue(LoadGen);
        if (server is null && loadGen is null) return CpuRoles.Split(CpuSet.Allowed());
        return new CpuRoles(server ?? Rest(loadGen!)!, loadGen ?? Rest(server!)!);
    }

    /// <summary>The CPUs this runner may use that <paramref name="taken"/> does not have, or null when there are none.</summary>
    private static CpuSet? Rest(CpuSet taken) =>
        CpuSet.Allowed().Cpus.Except(taken.Cpus).ToList() is { Count: > 0 } rest ? CpuSet.Of(rest) : null;
}
