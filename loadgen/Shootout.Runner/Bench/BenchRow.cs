using Shootout.Runner.Processes;
using Shootout.Runner.Run;

namespace Shootout.Runner.Bench;

/// <summary>
/// One row of one round: <paramref name="Subject"/> names what is measured (<c>c</c>, <c>epoll</c>, <c>epoll@base</c>), the
/// same in every round, so a ratio pairs rows of the same round; <see cref="Name"/> adds the round (<c>epoll#2</c>).
/// </summary>
internal sealed record BenchRow(string Subject, RowKind Kind, ServerLaunch Launch, int Round)
{
    public string Name => Round > 1 ? $"{Subject}#{Round}" : Subject;

    public string KindName => Kind.Name();
}

/// <summary>The bare-.NET-Socket reference (tests/bench/dotnet-socket-echo): its port is its one argument.</summary>
internal sealed record DotnetSocketLaunch(string Path) : ServerLaunch("dotnet-socket", Path)
{
    public const string Directory = "dotnet-socket-echo";

    public override string AnnouncePrefix => "listening on ";
    public override bool HasMetrics => false;
    public override IReadOnlyList<string> Args(int port, int metricsPort, bool severalCopies) => [port.ToString()];
}
