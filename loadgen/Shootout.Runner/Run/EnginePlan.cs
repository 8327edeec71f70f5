using System.Globalization;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

/// <summary>
/// Where one engine's run happens: its server processes' metrics ports, the loadgen's metrics ports, and
/// its own block of loopback destinations. A fresh 127.N.x.y block per engine means the previous engine's
/// TIME_WAIT sockets and ephemeral ports are never in the way; each phase has its own addresses in it.
/// </summary>
internal sealed record EnginePlan(string Engine, int Index, IReadOnlyList<int> ServerMetricsPorts, int HoldMetricsPort,
    int EchoMetricsPort, int Connections, string Dir, ServerLaunch Launch)
{
    /// <summary>An engine of this project, a reference server in another language, or someone else's echo server (--contender).</summary>
    public RowKind Kind => Launch switch
    {
        ReferenceLaunch => RowKind.Reference,
        ContenderLaunch => RowKind.Contender,
        _ => RowKind.Engine,
    };

    /// <summary>Connections per destination address: well under one address pair's ephemeral ports.</summary>
    public const int ConnectionsPerAddress = 20_000;

    public int Processes => ServerMetricsPorts.Count;
    private int Block => 10 + Index;

    public string HoldAddress => $"127.{Block}.0.1";
    public int HoldAddresses => Math.Max(1, (Connections + ConnectionsPerAddress - 1) / ConnectionsPerAddress);
    public string WarmupAddress => $"127.{Block}.250.1";
    public string EchoAddress => $"127.{Block}.251.1";
    public string ClosedAddress => $"127.{Block}.252.1";
    public string NeighboursAddress => $"127.{Block}.253.1";

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"idle {HoldAddress}{(HoldAddresses > 1 ? $" and the next {HoldAddresses - 1}" : "")}, warm-up {WarmupAddress}, " +
        $"echo {EchoAddress}, closed loop {ClosedAddress}, beside neighbours {NeighboursAddress}");
}
