using System.CommandLine;
using Shootout.Common;
using Shootout.Common.Cli;

namespace Shootout.LoadGen.Cli;

/// <summary>
/// <c>neighbours</c>: light probe connections measured beside heavy neighbours: N floods (M never-reading
/// connections optional) and P probes, as three scenarios of one run (<see cref="NeighboursSettings.ToRun"/>).
/// The probes' latency (from the scheduled send time) and the floods' fairness (Jain's index, slowest over
/// mean) are their scenarios' figures in summary.json.
/// </summary>
// Its options mirror LoadGenOptions' shape (flags into nullable settings, a config file under them) on other fields.
internal static class NeighboursCommand
{
    public const string Name = "neighbours";

    private static readonly Option<string?> Target = new("--target") { Description = "host:port[,host:port…] of the server" };
    private static readonly Option<int?> Floods = Whole("--floods", "Flooding connections (default 16)", 0, 10_000);
    private static readonly Option<long?> MessageSize = Size("--message-size", "Bytes per flood write, e.g. 64KiB (default 64KiB)", 16 << 20);
    private static readonly Option<long?> Window = Size("--window", "Bytes a flood keeps in flight, written but not yet echoed (default 4 writes)", 64 << 20);
    private static readonly Option<int?> NeverReading = Whole("--never-reading",
        "Connections that write until backpressure stops them and never read (default 0)",
        0, 10_000);
    private static readonly Option<int?> Probes = Whole("--probes", "Light probe connections (default 100)", 1, 10_000);
    private static readonly Option<TimeSpan?> ProbeInterval = Time("--probe-interval", "Each probe sends once per interval (default 10ms)");
    private static readonly Option<int?> ProbeSize = Whole("--probe-size", "Bytes per probe message (default 9)", 1, 65536);
    private static readonly Option<TimeSpan?> Warmup = Time("--warmup", "Floods run this long before the probes are measured (default 1s)", positive: false);
    private static readonly Option<TimeSpan?> Duration = Time("--duration", "Measured window (default 10s)");
    private static readonly Option<TimeSpan?> ConnectTimeout = Time("--connect-timeout", "Give up a connect after this long (default 5s)");
    private static readonly Option<TimeSpan?> MessageTimeout = Time("--message-timeout",
        "A probe echo or a flood's progress waited for longer is an error (default 10s)");
    private static readonly Option<bool> AllowRemote = new("--allow-remote") { Description = "Allow targets that are not loopback addresses" };
    private static readonly Option<int?> NeighboursNice = Whole("--neighbours-nice",
        "Nice value of the neighbours' process, so the probes measure the server rather than two cores shared with the floods' "
        + "clients (default 10; 0 gives them the probes' priority)",
        0, 19);
    private static readonly Option<int?> ProbesNice = Whole("--probes-nice",
        "Nice value the probes' process asks for, so the instrument does not wait behind the server's threads "
        + "(default -5; needs root, else they stay at 0 and the summary says so)",
        -20, 0);
    private static readonly Option<bool> InProcess = new("--in-process")
    {
        Description = "Run the neighbours in this process (still on their own event loops) instead of a child process",
    };
    private static readonly Option<string?> ReportDir = new("--report-dir")
    {
        Description = "Directory for summary.json and the reports (default ./loadgen-report)",
    };
    private static readonly Option<CpuSet?> ServerCpus = LoadGenOptions.ServerCpusOption();
    private static readonly Option<int?> MetricsPort = Whole("--metrics-port", "Serve Prometheus metrics on this port (0: off)", 0, 65535);
    private static readonly Option<string?> Config = new("--config")
    {
        Description = "JSON config file (the options in snake_case); flags override its fields",
    };
    private static readonly Option<bool> Plain = new("--plain")
    {
        Description = "Accepted for symmetry with the other scenarios: progress is always plain lines",
    };

    public static Command Create()
    {
        var command = new Command(Name,
            "Light probes beside heavy neighbours: probe latency (from the scheduled send time) and each flood's share (Jain's index)");
        foreach (Option o in new Option[] { Target, Floods, MessageSize, Window, NeverReading, Probes, ProbeInterval, ProbeSize, Warmup, Duration,
                     ConnectTimeout, MessageTimeout, AllowRemote, InProcess, NeighboursNice, ProbesNice, ReportDir, MetricsPort, ServerCpus, Config, Plain })
            command.Options.Add(o);
        return command;
    }

    /// <summary>The run the parsed command asks for: config file under flags; bad input throws <see cref="UsageException"/>
    /// (exit 2, naming the option).</summary>
    public static Settings Settle(ParseResult p)
    {
        var fromConfig = p.GetValue(Config) is { } path ? NeighboursSettings.Load(path) : new NeighboursSettings();
        var flags = new NeighboursSettings
        {
            Target = p.GetValue(Target),
            Floods = p.GetValue(Floods),
            MessageSize = p.GetValue(MessageSize),
            Window = p.GetValue(Window),
            NeverReading = p.GetValue(NeverReading),
            Probes = p.GetValue(Probes),
            ProbeInterval = p.GetValue(ProbeInterval),
            ProbeSize = p.GetValue(ProbeSize),
            Warmup = p.GetValue(Warmup),
            Duration = p.GetValue(Duration),
            ConnectTimeout = p.GetValue(ConnectTimeout),
            MessageTimeout = p.GetValue(MessageTimeout),
            AllowRemote = p.GetValue(AllowRemote) ? true : null,
            InProcess = p.GetValue(InProcess) ? true : null,
            NeighboursNice = p.GetValue(NeighboursNice),
            ProbesNice = p.GetValue(ProbesNice),
            ReportDir = p.GetValue(ReportDir),
            MetricsPort = p.GetValue(MetricsPort),
            ServerCpus = p.GetValue(ServerCpus)?.ToString(),
        };
        return fromConfig.OverlaidBy(flags).ToRun();
    }

    private static Option<int?> Whole(string name, string description, int min, int max) => new(name)
    {
        Description = description,
        CustomParser = r => OptionParsers.Whole(r, min, min, max),
    };

    private static Option<long?> Size(string name, string description, long max) => new(name)
    {
        Description = description,
        CustomParser = r => OptionParsers.Size(r, 1, 1, max),
    };

    private static Option<TimeSpan?> Time(string name, string description, bool positive = true) => new(name)
    {
        Description = description,
        CustomParser = r => OptionParsers.Duration(r, TimeSpan.FromSeconds(1), positive),
    };
}
