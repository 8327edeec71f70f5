using System.Diagnostics;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// Cuts a worker's live counters into one-second <see cref="Tick"/>s of deltas: each cut reads every
/// counter once, subtracts the previous reading and keeps this one for the next cut. Pacer thread only
/// (and the final cut, after the pacer stopped).
/// </summary>
internal sealed class TickCutter(WorkerStats stats, RunClock clock, int loops, int scenario = 0)
{
    private const string LoopThreadPrefix = "netpoll-";

    /// <summary>The pacer thread's name: each scenario of a run has its own pacer ("pacer", "pacer-1", …).</summary>
    public static string PacerName(int scenario) => scenario == 0 ? "pacer" : $"pacer-{scenario}";

    private readonly string _pacerThread = PacerName(scenario);
    private readonly ThreadCpu _cpu = new();
    /// <summary>One reading of the cumulative counters.</summary>
    private readonly record struct Counters(long Attempts, long Established, long ConnectFailed, long Ok, long Failed,
        long BytesSent, long BytesReceived, long ClosedByServer)
    {
        public static Counters Read(WorkerStats s) => new(
            Volatile.Read(ref s.Attempts), Volatile.Read(ref s.Established), Volatile.Read(ref s.ConnectFailed),
            Volatile.Read(ref s.Ok), Volatile.Read(ref s.Failed), Volatile.Read(ref s.BytesSent),
            Volatile.Read(ref s.BytesReceived), Volatile.Read(ref s.ClosedByServer));
    }

    private readonly Dictionary<string, long> _lastErrors = new();
    private Counters _last;
    private int _seq;

    public Tick Cut()
    {
        var now = Counters.Read(stats);
        var tick = new Tick
        {
            Scenario = scenario,
            Seq = _seq++,
            Elapsed = clock.SecondsSinceStart(Stopwatch.GetTimestamp()),
            Alive = Math.Max(0, Volatile.Read(ref stats.Alive)),
            Attempts = now.Attempts - _last.Attempts,
            Established = now.Established - _last.Established,
            ConnectFailed = now.ConnectFailed - _last.ConnectFailed,
            Ok = now.Ok - _last.Ok,
            Failed = now.Failed - _last.Failed,
            BytesSent = now.BytesSent - _last.BytesSent,
            BytesReceived = now.BytesReceived - _last.BytesReceived,
            ClosedByServer = now.ClosedByServer - _last.ClosedByServer,
            Errors = ErrorDeltas(),
            Latency = stats.Latency.GetIntervalHistogram(),
            Connect = stats.Connect.GetIntervalHistogram(),
            SendLag = stats.SendLag.GetIntervalHistogram(),
            FirstByte = stats.FirstByte.GetIntervalHistogram(),
        };
        var cpu = _cpu.Sample(name => name == _pacerThread || name.StartsWith(LoopThreadPrefix, StringComparison.Ordinal));
        tick.PacerCpu = Math.Round(cpu.GetValueOrDefault(_pacerThread).Cpu, 3);
        tick.PacerWait = Math.Round(cpu.GetValueOrDefault(_pacerThread).Wait, 3);
        tick.LoopCpu = Enumerable.Range(0, loops).Select(i => Math.Round(cpu.GetValueOrDefault(LoopThreadPrefix + i).Cpu, 3)).ToArray();
        tick.LoopWait = Enumerable.Range(0, loops).Select(i => Math.Round(cpu.GetValueOrDefault(LoopThreadPrefix + i).Wait, 3)).ToArray();
        _last = now;
        return tick;
    }

    private Dictionary<string, long> ErrorDeltas()
    {
        var errors = new Dictionary<string, long>();
        foreach (var (kind, count) in stats.Errors)
        {
            long delta = count - _lastErrors.GetValueOrDefault(kind);
            if (delta != 0) errors[kind] = delta;
            _lastErrors[kind] = count;
        }
        return errors;
    }
}
