using System.CommandLine;
using System.Runtime.InteropServices;
using Shootout.Common;
using Shootout.LoadGen;
using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Plan;

return await LoadGenCli.RunAsync(args);

namespace Shootout.LoadGen
{
    /// <summary>
    /// The command line: <c>echo</c>, <c>hold</c>, <c>run --config</c> and the hidden <c>agent</c>.
    /// Exit codes (<see cref="ExitCodes"/>): 0 clean run, 1 run with errors, 2 bad input (one line naming the
    /// option), 99 a threshold failed, 130 interrupted.
    /// </summary>
    internal static class LoadGenCli
    {
        public static async Task<int> RunAsync(string[] args)
        {
            using var cts = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });
            // Connections per process follow the soft open-file limit: take the hard one, once, here.
            FileLimit.RaiseSoftToHard();

            // Agents skip the command-line parser: one fewer library to load and compile in each of them.
            if (args is ["agent", "--plan", var encodedPlan])
                return await AgentCommand.RunAsync(encodedPlan, cts.Token);

            var options = new LoadGenOptions();
            var root = Build(options);
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                Console.Error.WriteLine($"shootout-loadgen: error: {parsed.Errors[0].Message}");
                return ExitCodes.BadInput;
            }
            var command = parsed.CommandResult.Command;
            try
            {
                if (command.Name == "agent")
                    return await AgentCommand.RunAsync(parsed.GetValue<string>("--plan")!, cts.Token);
                // No command sets an action of its own: one present is --help (of any command) or --version.
                if (command == root || parsed.Action is not null)
                    return parsed.Invoke();
                var settings = command.Name == NeighboursCommand.Name ? NeighboursCommand.Settle(parsed) : Settle(options, parsed, command.Name);
                var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                    .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
                var (plans, run) = PlanBuilder.BuildSet(settings, env);
                // neighbours: progress is always plain lines.
                bool interactive = command.Name != NeighboursCommand.Name && !Console.IsOutputRedirected && !parsed.GetValue(options.Plain);
                return await Coordinator.RunAsync(plans, run, interactive, cts.Token);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"shootout-loadgen: error: {e.Message}");
                return ExitCodes.BadInput;
            }
        }

        private static RootCommand Build(LoadGenOptions o)
        {
            var echo = new Command("echo", "Echo messages: open model at --rate (latency from the scheduled send time), or --closed");
            foreach (var option in o.Common) echo.Options.Add(option);
            echo.Options.Add(o.MessageRate);
            echo.Options.Add(o.Closed);

            var hold = new Command("hold", "Open connections at --connect-rate and hold them idle for --duration");
            foreach (var option in o.Common) hold.Options.Add(option);
            hold.Options.Add(o.Heartbeat);

            var run = new Command("run", "Run the scenarios a --config file describes, all at once ('scenarios': [{name, kind, …}], or one 'scenario')");
            foreach (var option in o.Common) run.Options.Add(option);
            run.Options.Add(o.MessageRate);
            run.Options.Add(o.Closed);
            run.Options.Add(o.Heartbeat);

            var agent = new Command("agent") { Hidden = true };
            agent.Options.Add(new Option<string>("--plan") { Required = true });

            return new RootCommand(
                "Echo-server load generator: NBomber-style scenarios, up to a million connections, latency without coordinated omission.")
            {
                echo, hold, run, agent, NeighboursCommand.Create(),
            };
        }

        /// <summary>The config file's settings (if any) overlaid by the flags.</summary>
        private static Settings Settle(LoadGenOptions o, ParseResult p, string name)
        {
            string? configPath = p.GetValue(o.Config);
            Settings fromConfig = configPath is { } path ? ConfigFile.Load(path) : new Settings();
            if (name == "run" && fromConfig.Scenario is null && fromConfig.Scenarios is null)
                throw new UsageException(configPath is null ? "--config: required for run"
                    : "config field 'scenarios' (or 'scenario'): required for run (hold, echo, echo-closed, probe, flood, never-reading)");
            if (name != "run" && fromConfig.Scenarios is not null)
                throw new UsageException($"config field 'scenarios': the '{name}' command runs one scenario; run several with 'run --config'");
            if (name != "run" && fromConfig.Scenario is { } s && !s.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                throw new UsageException($"config field 'scenario': '{s}' does not match the '{name}' command");
            return fromConfig.OverlaidBy(o.Bind(p, name));
        }
    }
}
