using Shootout.Runner.Run;

namespace Shootout.Runner.Bench;

/// <summary>
/// One row's figures. Bytes per connection: (RSS holding the connections − RSS after the warm-up) / connections, each phase
/// in a fresh server process; idle: the connections never sent a byte; used: each echoed one byte, then idled.
/// </summary>
internal sealed record RowResult(BenchRow Row)
{
    public string? Error { get; init; }
    public int Connections { get; init; }
    /// <summary>The median of <see cref="AcceptBursts"/>.</summary>
    public double? AcceptsPerSecond { get; init; }
    /// <summary>Each accept burst's rate: the connections over the time from the first connect to the last one served.</summary>
    public IReadOnlyList<double> AcceptBursts { get; init; } = [];
    /// <summary>Connections accepted and served per second of the server's own CPU, over every burst (<see cref="AcceptCpu"/>).</summary>
    public double? AcceptsPerCpuSecond { get; init; }
    public long? IdleBytesPerConnection { get; init; }
    public long? UsedBytesPerConnection { get; init; }
    public int? Threads { get; init; }
    public double? EchoMessagesPerSecond { get; init; }
    /// <summary>Server CPU over the used phase (accepts and echo), seconds.</summary>
    public double? CpuUserSeconds { get; init; }
    public double? CpuSystemSeconds { get; init; }
    /// <summary>The closed-loop echo's cost per message, net of the server at rest (syscalls: from their own phase, under perf).</summary>
    public MessageCost? EchoCost { get; init; }
    public long ListenOverflows { get; init; }
    /// <summary>The C client's CPU over the echo: at ≥ 90% of its CPUs the echo rate is the client's limit, a lower bound for the server.</summary>
    public GeneratorCpu? ClientCpu { get; init; }

    public bool EchoClientBound => ClientCpu is { IsSaturated: true };

    public bool Ok => Error is null;
}
