using System.CommandLine;
using System.Net;
using Shootout.Common.Cli;
using Shootout.Server.Core;

namespace Shootout.Server;

/// <summary>The command line: options, validation, and the one-line error with exit code 2.</summary>
internal static class ServerCommand
{
    public const int UsageError = 2;

    private static readonly Option<string> Engine = new("--engine")
    {
        Description = "Concurrency model: threads (a thread per connection), async (Kestrel sockets, async/await), " +
                      "epoll (our fiber netpoller), uring (fibers on io_uring completions).",
        Required = true,
        HelpName = "threads|async|epoll|uring",
    };
    private static readonly Option<int> Port = Ranged(new("--port")
    {
        Description = "TCP port to echo on (0 picks a free one, announced on stdout).",
        DefaultValueFactory = _ => 7000,
    }, 0, 65535);
    private static readonly Option<IPAddress> Bind = Address("--bind", "Address to listen on.", IPAddress.Any);
    private static readonly Option<bool> ReusePort = new("--reuse-port") { Description = "Set SO_REUSEPORT so several server processes share one port." };
    private static readonly Option<int> MaxConnections = Ranged(new("--max-connections")
    {
        Description = "Open connections allowed at once; more are closed at once and counted (reason=limit).",
        DefaultValueFactory = _ => 1_000_000,
    }, 1, int.MaxValue);
    private static readonly Option<int> Backlog = Ranged(new("--backlog")
    {
        Description = "Listen backlog (default: net.core.somaxconn, at least 4096; the kernel caps it there).",
        DefaultValueFactory = _ => ListenSocket.DefaultBacklog(),
    }, 1, 1 << 20);
    private static readonly Option<int> MetricsPort = Ranged(new("--metrics-port")
    {
        Description = "Port of the Prometheus /metrics endpoint; 0 disables metrics.",
        DefaultValueFactory = _ => 9100,
    }, 0, 65535);
    private static readonly Option<IPAddress> MetricsBind = Address("--metrics-bind", "Address the metrics endpoint listens on.", IPAddress.Any);
    private static readonly Option<int> ThreadStackKb = Ranged(new("--thread-stack-kb")
    {
        Description = "threads engine: stack size per connection thread, in KiB.",
        DefaultValueFactory = _ => 64,
    }, 16, 8192);
    private static readonly Option<int> EventLoops = Ranged(new("--event-loops")
    {
        Description = "epoll and uring engines: event-loop threads (0 = one per core).",
        DefaultValueFactory = _ => 0,
    }, 0, 1024);
    private static readonly Option<TimeSpan?> IdleTimeout = new("--idle-timeout")
    {
        Description = "Close connections silent for this long, e.g. 30s, 500ms, 5m (off by default: the idle benchmark needs it off).",
        CustomParser = r => OptionParsers.Duration(r, TimeSpan.Zero),
    };
    private static readonly Option<int> MinDataRate = Ranged(new("--min-data-rate")
    {
        Description = "Bytes per second a connection must average while sending; slower ones are closed (off by default).",
    }, 1, int.MaxValue);

    public static async Task<int> RunAsync(string[] args)
    {
        Engine.Validators.Add(r =>
        {
            string value = r.GetValueOrDefault<string>();
            if (!Engines.ByName.ContainsKey(value))
                r.AddError($"--engine must be one of {string.Join(", ", Engines.ByName.Keys)}, got '{value}'");
        });

        var root = new RootCommand("Echo Server Shootout: a TCP echo server with interchangeable concurrency engines.")
        {
            Engine, Port, Bind, ReusePort, MaxConnections, Backlog, MetricsPort, MetricsBind, ThreadStackKb, EventLoops, IdleTimeout, MinDataRate,
        };
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            Console.Error.WriteLine($"shootout-server: {parsed.Errors[0].Message} (see --help)");
            return UsageError;
        }
        root.SetAction((result, _) => StartAsync(result));
        // The host handles SIGTERM/SIGINT itself: stop accepting, close connections, exit 0.
        return await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static Task<int> StartAsync(ParseResult result)
    {
        string engine = result.GetValue(Engine)!;
        var factory = Engines.ByName[engine];
        var options = new ServerOptions
        {
            Engine = engine,
            Port = result.GetValue(Port),
            Bind = result.GetValue(Bind)!,
            ReusePort = result.GetValue(ReusePort),
            MaxConnections = result.GetValue(MaxConnections),
            Backlog = result.GetValue(Backlog),
            ThreadStackKb = result.GetValue(ThreadStackKb),
            EventLoops = result.GetValue(EventLoops),
            IdleTimeout = result.GetValue(IdleTimeout),
            MinDataRate = result.GetResult(MinDataRate) is null ? null : result.GetValue(MinDataRate),
        };
        var metrics = new MetricsEndpoint(result.GetValue(MetricsBind)!, result.GetValue(MetricsPort));
        return new ServerHost(options, factory, metrics).RunAsync();
    }

    /// <summary>An integer option that names itself and its range when the value is not a number or out of range.</summary>
    private static Option<int> Ranged(Option<int> option, int min, int max)
    {
        option.CustomParser = r => OptionParsers.Whole(r, min, min, max);
        return option;
    }

    private static Option<IPAddress> Address(string name, string description, IPAddress fallback) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            string text = r.Tokens.Single().Value;
            if (IPAddress.TryParse(text, out var address))
                return address;
            r.AddError($"{name} must be an IP address, got '{text}'");
            return fallback;
        },
    };
}
