using HdrHistogram;

namespace Shootout.LoadGen.Stats;

/// <summary>One second of the whole run, all workers together.</summary>
internal sealed record TimelinePoint(int Seq, long Alive, long Established, long ConnectFailed, long Ok, long Failed,
    long Errors, double P50, double P99, double Max);

/// <summary>
/// Merges the ticks of every worker (in-process or agent) into totals, whole-run histograms and a per-second
/// timeline. A second is final once every worker still running has reported past it.
/// </summary>
internal sealed class RunAggregate
{
    private readonly object _gate = new();
    private readonly int[] _lastSeq;
    private readonly bool[] _finished;
    private readonly long[] _alive;
    private readonly SortedDictionary<int, Pending> _pending = new();
    private readonly List<TimelinePoint> _timeline = new();

    private sealed class Pending
    {
        public long Alive, Established, ConnectFailed, Ok, Failed, Errors;
        public readonly LongHistogram Latency = Histograms.Create();
    }

    public RunAggregate(int sources)
    {
        _lastSeq = Enumerable.Repeat(-1, sources).ToArray();
        _finished = new bool[sources];
        _alive = new long[sources];
    }

    public long Attempts, Established, ConnectFailed, Ok, Failed, BytesSent, BytesReceived, ClosedByServer;
    public readonly Dictionary<string, long> Errors = new();
    public readonly LongHistogram Latency = Histograms.Create();
    public readonly LongHistogram Connect = Histograms.Create();
    public readonly LongHistogram SendLag = Histograms.Create();
    public readonly LongHistogram FirstByte = Histograms.Create();
    public long[] PhaseOk = [];
    public long[] PhaseDue = [];
    public long SamplesWritten, SamplesDropped;

    /// <summary>Each ended connection's own progress (messages echoed, or bytes), for the fairness figures.</summary>
    public readonly List<long> ConnectionProgress = new();

    /// <summary>Per source (agent or the in-process worker) and thread (loop id; -1 the pacer): sums of its
    /// per-second CPU share and run-queue wait share, its busiest second, and how many seconds were summed.</summary>
    public readonly Dictionary<(int Source, int Loop), ThreadLoad> Threads = new();

    internal readonly record struct ThreadLoad(double CpuSum, double CpuMax, double WaitSum, int Seconds)
    {
        public double CpuMean => Seconds == 0 ? 0 : CpuSum / Seconds;
        public double WaitMean => Seconds == 0 ? 0 : WaitSum / Seconds;

        public ThreadLoad Plus(double cpu, double wait) => new(CpuSum + cpu, Math.Max(CpuMax, cpu), WaitSum + wait, Seconds + 1);
    }
    public double MeasuredSeconds;
    public double FirstConnectSeconds = -1;
    public double LastConnectSeconds = -1;
    public readonly List<string> StopReasons = new();

    public IReadOnlyList<TimelinePoint> Timeline { get { lock (_gate) return _timeline.ToList(); } }

    public long Alive { get { lock (_gate) return _alive.Sum(); } }

    public long ErrorTotal { get { lock (_gate) return Errors.Values.Sum(); } }

    public KeyValuePair<string, long>[] ErrorsSnapshot() { lock (_gate) return Errors.OrderByDescending(e => e.Value).ToArray(); }

    public bool AllFinished { get { lock (_gate) return _finished.All(f => f); } }

    public TimelinePoint? LastPoint { get { lock (_gate) return _timeline.Count == 0 ? null : _timeline[^1]; } }

    public void Add(int source, Tick t)
    {
        lock (_gate)
        {
            Attempts += t.Attempts;
            Established += t.Established;
            ConnectFailed += t.ConnectFailed;
            Ok += t.Ok;
            Failed += t.Failed;
            BytesSent += t.BytesSent;
            BytesReceived += t.BytesReceived;
            ClosedByServer += t.ClosedByServer;
            foreach (var (kind, n) in t.Errors) Errors[kind] = Errors.GetValueOrDefault(kind) + n;
            Latency.Add(t.Latency);
            Connect.Add(t.Connect);
            SendLag.Add(t.SendLag);
            FirstByte.Add(t.FirstByte);
            if (!t.Final)
            {
                // The first second of each source has no earlier reading to measure from.
                if (t.Seq > 0)
                {
                    for (int i = 0; i < t.LoopCpu.Length; i++)
                        Threads[(source, i)] = Threads.GetValueOrDefault((source, i)).Plus(t.LoopCpu[i], i < t.LoopWait.Length ? t.LoopWait[i] : 0);
                    Threads[(source, -1)] = Threads.GetValueOrDefault((source, -1)).Plus(t.PacerCpu, t.PacerWait);
                }
            }
            _alive[source] = t.Alive;
            _lastSeq[source] = t.Seq;

            if (!_pending.TryGetValue(t.Seq, out var p)) _pending[t.Seq] = p = new Pending();
            p.Alive += t.Alive;
            p.Established += t.Established;
            p.ConnectFailed += t.ConnectFailed;
            p.Ok += t.Ok;
            p.Failed += t.Failed;
            p.Errors += t.Errors.Values.Sum();
            p.Latency.Add(t.Latency);

            if (t.Final)
            {
                _finished[source] = true;
                _alive[source] = 0;
                MeasuredSeconds = Math.Max(MeasuredSeconds, t.MeasuredSeconds);
                if (t.FirstConnectSeconds >= 0)
                    FirstConnectSeconds = FirstConnectSeconds < 0 ? t.FirstConnectSeconds : Math.Min(FirstConnectSeconds, t.FirstConnectSeconds);
                LastConnectSeconds = Math.Max(LastConnectSeconds, t.LastConnectSeconds);
                if (t.StopReason is not null) StopReasons.Add(t.StopReason);
                PhaseOk = Sum(PhaseOk, t.PhaseOk);
                PhaseDue = Sum(PhaseDue, t.PhaseDue);
                SamplesWritten += t.SamplesWritten;
                SamplesDropped += t.SamplesDropped;
                ConnectionProgress.AddRange(t.ConnectionProgress);
            }
            Settle(all: false);
        }
    }

    /// <summary>Runs <paramref name="read"/> under the lock that <see cref="Add"/> takes: for reading the
    /// histograms while ticks still arrive (live thresholds).</summary>
    public T Locked<T>(Func<RunAggregate, T> read)
    {
        lock (_gate) return read(this);
    }

    private static long[] Sum(long[] a, long[] b)
    {
        var r = new long[Math.Max(a.Length, b.Length)];
        for (int i = 0; i < r.Length; i++) r[i] = (i < a.Length ? a[i] : 0) + (i < b.Length ? b[i] : 0);
        return r;
    }

    /// <summary>A worker that vanished without its final tick (an agent process that died); false if it had ended already.</summary>
    public bool Lost(int source, string kind, bool countError = true)
    {
        lock (_gate)
        {
            if (_finished[source]) return false;
            _finished[source] = true;
            _alive[source] = 0;
            if (countError) Errors[kind] = Errors.GetValueOrDefault(kind) + 1;
            StopReasons.Add(kind);
            Settle(all: false);
            return true;
        }
    }

    /// <summary>A source that has no share of this aggregate's work (a scenario run in another process): no ticks to wait for.</summary>
    public void Absent(int source)
    {
        lock (_gate) _finished[source] = true;
    }

    public void Finish()
    {
        lock (_gate) Settle(all: true);
    }

    private void Settle(bool all)
    {
        int horizon = int.MaxValue;
        for (int i = 0; i < _lastSeq.Length; i++)
            if (!_finished[i]) horizon = Math.Min(horizon, _lastSeq[i]);
        if (all) horizon = int.MaxValue;
        while (_pending.Count > 0)
        {
            var (seq, p) = _pending.First();
            if (seq >= horizon && horizon != int.MaxValue) break;
            _pending.Remove(seq);
            bool any = p.Latency.TotalCount > 0;
            _timeline.Add(new TimelinePoint(seq, p.Alive, p.Established, p.ConnectFailed, p.Ok, p.Failed, p.Errors,
                any ? p.Latency.GetValueAtPercentile(50) : 0,
                any ? p.Latency.GetValueAtPercentile(99) : 0,
                any ? p.Latency.GetMaxValue() : 0));
        }
    }
}
