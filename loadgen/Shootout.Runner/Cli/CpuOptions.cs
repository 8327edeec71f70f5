using System.CommandLine;
using Shootout.Common;
using Shootout.Common.Cli;

namespace Shootout.Runner.Cli;

/// <summary>
/// Which CPUs the server processes and the client (the runner's load generator, the bench's C client) run on:
/// disjoint sets by default wherever there are two CPUs or more (<see cref="CpuRoles.Split"/>), so a figure is the
/// server's and not the pair's; either set may be given, the other is then the rest; --shared-cpus lets them share
/// every CPU. One set of options for both commands, named after each one's client.
/// </summary>
internal sealed class CpuOptions
{
    private readonly Option<CpuSet?> _server;
    private readonly Option<CpuSet?> _client;
    private readonly Option<bool> _shared;

    /// <param name="clientOption">The client role's option, e.g. <c>--loadgen-cpus</c>.</param>
    /// <param name="client">What runs there, for the help, e.g. "the load generator and its agents".</param>
    public CpuOptions(string clientOption, string client)
    {
        _server = new("--server-cpus")
        {
            Description = "CPUs for the server processes (taskset list, e.g. 1 or 2-3; default: the larger half of the CPUs this runner may use).",
            HelpName = "LIST",
            CustomParser = r => OptionParsers.Cpus(r, usable: true),
        };
        _client = new(clientOption)
        {
            Description = $"CPUs for {client} (default: the CPUs the servers do not have).",
            HelpName = "LIST",
            CustomParser = r => OptionParsers.Cpus(r, usable: true),
        };
        _shared = new("--shared-cpus")
        {
            Description = $"Let the servers and {client} share every CPU (no taskset): figures are then partly the client's.",
        };
    }

    public void AddTo(Command command)
    {
        foreach (Option o in new Option[] { _server, _client, _shared }) command.Options.Add(o);
        command.Validators.Add(r =>
        {
            CpuSet? server, client;
            try
            {
                server = r.GetValue(_server);
                client = r.GetValue(_client);
            }
            catch (InvalidOperationException)
            {
                return; // a list that does not parse: its option said so already
            }
            if (r.GetValue(_shared) && (server is not null || client is not null))
                r.AddError($"--shared-cpus: cannot be combined with --server-cpus or {_client.Name}");
            else if (server is not null && client is not null && server.Overlaps(client))
                r.AddError($"--server-cpus {server} and {_client.Name} {client} overlap: the roles must not share a CPU (or give --shared-cpus)");
            else if ((server ?? client) is { } given && Rest(given) is null)
                r.AddError($"{(server is not null ? "--server-cpus" : _client.Name)} {given}: leaves no CPU for the other role " +
                           $"(this runner may use {CpuSet.Allowed()}; give both, or --shared-cpus)");
        });
    }

    /// <summary>The roles' CPUs (the client's as <see cref="CpuRoles.LoadGen"/>); null when they share every CPU (asked, or fewer than two CPUs).</summary>
    public CpuRoles? Read(ParseResult parsed)
    {
        if (parsed.GetValue(_shared)) return null;
        var server = parsed.GetValue(_server);
        var client = parsed.GetValue(_client);
        if (server is null && client is null) return CpuRoles.Split(CpuSet.Allowed());
        return new CpuRoles(server ?? Rest(client!)!, client ?? Rest(server!)!);
    }

    /// <summary>The CPUs this runner may use that <paramref name="taken"/> does not have, or null when there are none.</summary>
    private static CpuSet? Rest(CpuSet taken) =>
        CpuSet.Allowed().Cpus.Except(taken.Cpus).ToList() is { Count: > 0 } rest ? CpuSet.Of(rest) : null;
}
