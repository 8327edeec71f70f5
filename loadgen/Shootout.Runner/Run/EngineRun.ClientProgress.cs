using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    /// <summary>
    /// The loadgen's side of a ramp, from its metrics: connections open now, connection attempts that have
    /// ended (established or failed), and attempts started.
    /// </summary>
    internal readonly record struct ClientProgress(long Open, long Tried, long Started)
    {
        /// <summary>Attempts still connecting: the kernel completes them once a server's queue has room.</summary>
        public long Connecting => Math.Max(0, Started - Tried);

        /// <summary>What the servers will still be handed beyond the <paramref name="held"/> they hold:
        /// connections the client holds and they have not accepted yet, and those still connecting.</summary>
        public long StillToAccept(long held) => Math.Max(0, Open - held) + Connecting;

        public static ClientProgress Parse(string? metrics) => metrics is null ? default
            : new((long)MetricsScrape.Sum(metrics, "shootout_loadgen_connections"), (long)MetricsScrape.Sum(metrics, "shootout_loadgen_connects_total"),
                (long)MetricsScrape.Sum(metrics, "shootout_loadgen_connect_attempts_total"));
    }
}
