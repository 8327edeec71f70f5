using System.CommandLine;
using System.Runtime.InteropServices;
using Shootout.LoadGen;
using Shootout.LoadGen.Cli;
using Shootout.LoadGen.Neighbours;

return await LoadGenCli.RunAsync(args);

namespace Shootout.LoadGen
{
    /// <summary>
    /// The command line: <c>echo</c>, <c>hold</c>, <c>run --config</c> and the hidden <c>agent</c>.
    /// Exit codes: 0 clean run, 1 run with errors, 2 bad input (one line naming the option), 130 interrupted.
    /// </summary>
    internal static class LoadGenCli
    {
        public static async Task<int> RunAsync(string[] args)
        {
            using var cts = new CancellationTokenSource();
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; cts.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; cts.Cancel(); });

            // Agents skip the command-line parser: one fewer library to load and compile in each of them.
            if (args is ["agent", "--plan", var encodedPlan])
                return await AgentCommand.RunAsync(encodedPlan, cts.Token);
            if (NeighboursCommand.IsAgent(args, out var neighboursPlan))
                return await NeighboursCommand.RunAgentAsync(neighboursPlan, cts.Token);

            var root = Build(out var bind);
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                var message = parsed.Errors[0].Message
                    .Replace("System.Nullable`1[System.Int32]", "whole number")
                    .Replace("System.Nullable`1[System.Double]", "number");
                Console.Error.WriteLine($"shootout-loadgen: error: {message}");
                return 2;
            }
            var command = parsed.CommandResult.Command;
            try
            {
                if (command.Name == "agent")
                    return await AgentCommand.RunAsync(parsed.GetValue<string>("--plan")!, cts.Token);
                if (command == root)
                    return parsed.Invoke();
                if (command.Name == NeighboursCommand.Name)
                    return await NeighboursCommand.RunAsync(parsed, cts.Token);
                var settings = bind(parsed, command.Name);
                var env = Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
                    .ToDictionary(e => (string)e.Key, e => (string?)e.Value);
                var (plan, run) = PlanBuilder.Build(settings, env);
                bool interactive = !Console.IsOutputRedirected && !parsed.GetValue<bool>("--plain");
                return await Coordinator.RunAsync(plan, run, interactive, cts.Token);
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine($"shootout-loadgen: error: {e.Message}");
                return 2;
            }
        }

        private static RootCommand Build(out Func<ParseResult, string, Settings> bind)
        {
            var target = new Option<string?>("--target") { Description = "host:port[,host:port…] (port ranges allowed: 127.0.0.1:7000-7003)" };
            var connections = new Option<int?>("--connections") { Description = "Connections to open (echo default 100, hold 1000)" };
            var connectRate = new Option<double?>("--connect-rate") { Description = "New connections per second (default 10000)" };
            var duration = new Option<string?>("--duration") { Description = "How long to run, e.g. 10s, 2m (default 10s)" };
            var reportDir = new Option<string?>("--report-dir") { Description = "Directory for summary.json and the reports (default ./loadgen-report)" };
            var metricsPort = new Option<int?>("--metrics-port") { Description = "Serve Prometheus metrics on this port (0: off)" };
            var agents = new Option<string?>("--agents") { Description = "'auto' (as many processes as the open-file limit needs) or a number (0: in-process)" };
            var messageSize = new Option<int?>("--message-size") { Description = "Bytes per message (default 32)" };
            var connectTimeout = new Option<string?>("--connect-timeout") { Description = "Give up a connect after this long (default 5s)" };
            var messageTimeout = new Option<string?>("--message-timeout") { Description = "Give up on an echo after this long (default 10s)" };
            var destAddresses = new Option<int?>("--dest-addresses") { Description = "Spread over N consecutive loopback addresses from the target's (127.0.0.1…127.0.0.N)" };
            var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow targets that are not loopback addresses" };
            var replicaIndex = new Option<int?>("--replica-index") { Description = "This replica's index (env SHOOTOUT_LOADGEN_REPLICA_INDEX or JOB_COMPLETION_INDEX)" };
            var replicaCount = new Option<int?>("--replica-count") { Description = "Number of replicas sharing the load (env SHOOTOUT_LOADGEN_REPLICAS)" };
            var config = new Option<string?>("--config") { Description = "JSON config file (NBomber-style load_simulations); flags override its fields" };
            var plain = new Option<bool>("--plain") { Description = "Plain progress lines even on a terminal" };
            var rate = new Option<double?>("--rate") { Description = "Messages per second over all connections (open model; default 1000)" };
            var closed = new Option<bool>("--closed") { Description = "Closed loop: each connection sends as soon as its echo returns" };
            var heartbeat = new Option<string?>("--heartbeat") { Description = "Send one message per connection this often (proves they are alive)" };

            Option[] common = [target, connections, connectRate, duration, reportDir, metricsPort, agents, messageSize,
                connectTimeout, messageTimeout, destAddresses, allowRemote, replicaIndex, replicaCount, config, plain];

            var echo = new Command("echo", "Echo messages: open model at --rate (latency from the scheduled send time), or --closed");
            foreach (var o in common) echo.Options.Add(o);
            echo.Options.Add(rate);
            echo.Options.Add(closed);

            var hold = new Command("hold", "Open connections at --connect-rate and hold them idle for --duration");
            foreach (var o in common) hold.Options.Add(o);
            hold.Options.Add(heartbeat);

            var runCmd = new Command("run", "Run the scenario a --config file describes (its 'scenario' field: echo or hold)");
            foreach (var o in common) runCmd.Options.Add(o);
            runCmd.Options.Add(rate);
            runCmd.Options.Add(closed);
            runCmd.Options.Add(heartbeat);

            var agent = new Command("agent") { Hidden = true };
            agent.Options.Add(new Option<string>("--plan") { Required = true });

            var root = new RootCommand("Echo-server load generator: NBomber-style scenarios, up to a million connections, latency without coordinated omission.")
            {
                echo, hold, runCmd, agent, NeighboursCommand.Create(),
            };

            bind = (p, name) =>
            {
                Settings fromConfig = p.GetValue(config) is { } path ? ConfigFile.Load(path) : new Settings();
                if (name == "run" && fromConfig.Scenario is null)
                    throw new UsageException(p.GetValue(config) is null ? "--config: required for run" : "config field 'scenario': required for run (echo or hold)");
                var flags = new Settings
                {
                    Scenario = name == "run" ? null : name,
                    Target = p.GetValue(target),
                    Connections = p.GetValue(connections),
                    ConnectRate = p.GetValue(connectRate),
                    Duration = p.GetValue(duration) is { } d ? Values.Duration(d, "--duration") : null,
                    ReportDir = p.GetValue(reportDir),
                    MetricsPort = p.GetValue(metricsPort),
                    Agents = p.GetValue(agents),
                    MessageSize = p.GetValue(messageSize),
                    ConnectTimeout = p.GetValue(connectTimeout) is { } ct ? Values.Duration(ct, "--connect-timeout") : null,
                    MessageTimeout = p.GetValue(messageTimeout) is { } mt ? Values.Duration(mt, "--message-timeout") : null,
                    DestAddresses = p.GetValue(destAddresses),
                    AllowRemote = p.GetValue(allowRemote) ? true : null,
                    ReplicaIndex = p.GetValue(replicaIndex),
                    ReplicaCount = p.GetValue(replicaCount),
                    Rate = name == "hold" ? null : p.GetValue(rate),
                    Closed = name != "hold" && p.GetValue(closed) ? true : null,
                    Heartbeat = name != "echo" && p.GetValue(heartbeat) is { } hb ? Values.Duration(hb, "--heartbeat") : null,
                };
                if (name != "run" && fromConfig.Scenario is { } s && !s.StartsWith(name, StringComparison.OrdinalIgnoreCase))
                    throw new UsageException($"config field 'scenario': '{s}' does not match the '{name}' command");
                return fromConfig.OverlaidBy(flags);
            };
            return root;
        }
    }
}
