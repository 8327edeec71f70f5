using System.CommandLine;
using Shootout.Common;
using Shootout.Common.Cli;
using Shootout.LoadGen.Thresholds;

namespace Shootout.LoadGen.Cli;

/// <summary>
/// Every option of the load commands, parsed with the shared value syntax (<see cref="OptionParsers"/>), so
/// a bad value is one line naming the option. All are nullable: an option not given leaves the config file's
/// field (or the default) in place.
/// </summary>
internal sealed class LoadGenOptions
{
    public readonly Option<string?> Target = new("--target")
    { Description = "host:port[,host:port…] (port ranges allowed: 127.0.0.1:7000-7003)" };
    public readonly Option<int?> Connections = Whole("--connections", "Connections to open (echo default 100, hold 1000)", 1, 10_000_000);
    public readonly Option<double?> ConnectRate = Rate("--connect-rate", "New connections per second (default 10000)");
    public readonly Option<TimeSpan?> Duration = Time("--duration", "How long to run, e.g. 10s, 2m (default 10s)");
    public readonly Option<string?> ReportDir = new("--report-dir")
    { Description = "Directory for summary.json and the reports (default ./loadgen-report)" };
    public readonly Option<int?> MetricsPort = Whole("--metrics-port", "Serve Prometheus metrics on this port (0: off)", 0, 65535);
    public readonly Option<string?> Agents = new("--agents")
    { Description = "'auto' (as many processes as the open-file limit needs) or a number (0: in-process)" };
    public readonly Option<int?> MessageSize = new("--message-size")
    {
        Description = "Bytes per message, e.g. 32, 4k, 1MiB (default 32)",
        CustomParser = r => (int)OptionParsers.Size(r, 32, 1, 1 << 20),
    };
    public readonly Option<TimeSpan?> ConnectTimeout = Time("--connect-timeout", "Give up a connect after this long (default 5s)");
    public readonly Option<TimeSpan?> MessageTimeout = Time("--message-timeout", "Give up on an echo after this long (default 10s)");
    public readonly Option<int?> DestAddresses = Whole("--dest-addresses",
        "Spread over N consecutive loopback addresses from the target's (127.0.0.1…127.0.0.N)", 1, 65536);
    public readonly Option<bool> AllowRemote = new("--allow-remote") { Description = "Allow targets that are not loopback addresses" };
    public readonly Option<int?> ReplicaIndex = Whole("--replica-index",
        "This replica's index (env SHOOTOUT_LOADGEN_REPLICA_INDEX or JOB_COMPLETION_INDEX)", 0, 1_000_000);
    public readonly Option<int?> ReplicaCount = Whole("--replica-count",
        "Number of replicas sharing the load (env SHOOTOUT_LOADGEN_REPLICAS)", 1, 1_000_000);
    public readonly Option<string?> Config = new("--config")
    { Description = "JSON config file (NBomber-style load_simulations); flags override its fields" };
    public readonly Option<bool> Plain = new("--plain") { Description = "Plain progress lines even on a terminal" };
    public readonly Option<double?> MessageRate = Rate("--rate", "Messages per second over all connections (open model; default 1000)");
    public readonly Option<bool> Closed = new("--closed") { Description = "Closed loop: each connection sends as soon as its echo returns" };
    public readonly Option<TimeSpan?> Heartbeat = Time("--heartbeat", "Send one message per connection this often (proves they are alive)");

    public readonly Option<string[]> Thresholds = new("--threshold")
    {
        Description = "Pass/fail condition, repeatable: p99<5ms, errors<0.1%, rate>=99%, connections>=50000, connect_p99<100ms "
            + "(a failed one exits 99)",
        HelpName = "EXPR",
    };
    public readonly Option<bool> AbortOnFail = new("--abort-on-fail")
    { Description = "Check the thresholds' upper bounds every second too, and stop the run as soon as one fails" };
    public readonly Option<TimeSpan?> AbortDelay = Time("--abort-delay",
        "Measured time before --abort-on-fail may stop the run (default 0s: from the first second)", positive: false);
    public readonly Option<string?> SourceAddresses = new("--source-addresses")
    {
        Description = "Local addresses to connect from, a list or CIDR (10.0.0.1,10.0.0.2 or 10.0.0.0/28); loopback targets "
            + "spread over 127.0.0.x by themselves",
    };
    public readonly Option<string?> Samples = new("--samples")
    { Description = "Write one CSV row per message (unix_time_us,connection,latency_us,result) to this file" };
    public readonly Option<CpuSet?> ServerCpus = ServerCpusOption();

    /// <summary>--server-cpus, for every command that measures a server (echo, hold, run, neighbours).</summary>
    public static Option<CpuSet?> ServerCpusOption() => new("--server-cpus")
    {
        Description = "CPUs the target server runs on, when on this machine (taskset list, e.g. 1): the same_machine hint then fires "
            + "only if this generator's CPUs overlap them",
        HelpName = "LIST",
        CustomParser = r => OptionParsers.Cpus(r, usable: false),
    };
    public readonly Option<int?> SamplesLimit = Whole("--samples-limit", "Most rows --samples writes (default 1000000)", 1, int.MaxValue);

    /// <summary>Options every load command takes.</summary>
    public Option[] Common =>
    [
        Target, Connections, ConnectRate, Duration, ReportDir, MetricsPort, Agents, MessageSize, ConnectTimeout,
        MessageTimeout, DestAddresses, AllowRemote, ReplicaIndex, ReplicaCount, Config, Plain, Thresholds, AbortOnFail,
        AbortDelay, SourceAddresses, Samples, SamplesLimit, ServerCpus,
    ];

    /// <summary>Binds what the parse result holds for command <paramref name="name"/> (echo, hold or run) to
    /// settings; unset options stay null.</summary>
    public Settings Bind(ParseResult p, string name) => new()
    {
        Scenario = name == "run" ? null : name,
        Target = p.GetValue(Target),
        Connections = p.GetValue(Connections),
        ConnectRate = p.GetValue(ConnectRate),
        Duration = p.GetValue(Duration),
        ReportDir = p.GetValue(ReportDir),
        MetricsPort = p.GetValue(MetricsPort),
        Agents = p.GetValue(Agents),
        MessageSize = p.GetValue(MessageSize),
        ConnectTimeout = p.GetValue(ConnectTimeout),
        MessageTimeout = p.GetValue(MessageTimeout),
        DestAddresses = p.GetValue(DestAddresses),
        AllowRemote = p.GetValue(AllowRemote) ? true : null,
        ReplicaIndex = p.GetValue(ReplicaIndex),
        ReplicaCount = p.GetValue(ReplicaCount),
        Rate = name == "hold" ? null : p.GetValue(MessageRate),
        Closed = name != "hold" && p.GetValue(Closed) ? true : null,
        Heartbeat = name != "echo" ? p.GetValue(Heartbeat) : null,
        Thresholds = p.GetValue(Thresholds) is { Length: > 0 } t ? t.Select(e => Threshold.Parse(e, "--threshold")).ToList() : null,
        AbortOnFail = p.GetValue(AbortOnFail) ? true : null,
        AbortDelay = p.GetValue(AbortDelay),
        SourceAddresses = p.GetValue(SourceAddresses),
        Samples = p.GetValue(Samples),
        SamplesLimit = p.GetValue(SamplesLimit),
        ServerCpus = p.GetValue(ServerCpus)?.ToString(),
    };

    private static Option<int?> Whole(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        CustomParser = r => OptionParsers.Whole(r, min, min, max),
    };

    private static Option<double?> Rate(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => OptionParsers.Rate(r, 1),
    };

    private static Option<TimeSpan?> Time(string name, string description, bool positive = true) => new(name)
    {
        Description = description,
        CustomParser = r => OptionParsers.Duration(r, TimeSpan.FromSeconds(1), positive),
    };
}
