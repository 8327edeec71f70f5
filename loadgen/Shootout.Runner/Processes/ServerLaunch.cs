namespace Shootout.Runner.Processes;

/// <summary>
/// How one row's server processes are started and read: an engine of shootout-server (with /metrics),
/// or a reference server in another language (no metrics: its connections are counted from /proc).
/// </summary>
internal abstract record ServerLaunch(string Name, string Executable)
{
    /// <summary>What the server prints on stdout once it listens: this prefix, then <c>listening=ADDR:PORT</c>.</summary>
    public abstract string AnnouncePrefix { get; }

    /// <summary>False: no /metrics endpoint; connections are the process's descriptors beyond those it had when it announced itself.</summary>
    public abstract bool HasMetrics { get; }

    /// <summary>The command line of one copy on <paramref name="port"/> (0: pick one); several copies share it with SO_REUSEPORT.</summary>
    public abstract IReadOnlyList<string> Args(int port, int metricsPort, bool severalCopies);
}

/// <summary>An engine of bin/shootout-server.</summary>
internal sealed record EngineLaunch(string Engine, string ServerPath, IReadOnlyList<string> ExtraArgs) : ServerLaunch(Engine, ServerPath)
{
    public override string AnnouncePrefix => "shootout-server ";
    public override bool HasMetrics => true;

    public override IReadOnlyList<string> Args(int port, int metricsPort, bool severalCopies)
    {
        var args = new List<string> { "--engine", Engine, "--port", port.ToString(), "--metrics-port", metricsPort.ToString(), "--metrics-bind", "127.0.0.1" };
        if (severalCopies) args.Add("--reuse-port");
        args.AddRange(ExtraArgs);
        return args;
    }
}

/// <summary>A reference echo server (tests/bench/references, built into bin/references): it always sets SO_REUSEPORT.</summary>
internal sealed record ReferenceLaunch(string Reference, string Path) : ServerLaunch(Reference, Path)
{
    public override string AnnouncePrefix => "echo-reference ";
    public override bool HasMetrics => false;
    public override IReadOnlyList<string> Args(int port, int metricsPort, bool severalCopies) => ["--port", port.ToString()];
}
