using System.Text;
using System.Text.Json;
using Shootout.Common;
using Shootout.LoadGen.Agents;
using ThreadPriority = Shootout.LoadGen.Engine.ThreadPriority;

namespace Shootout.LoadGen.Neighbours;

/// <summary>
/// The neighbours' process and how the coordinator talks to it. The plan goes down as one base64 JSON
/// argument of the hidden <c>neighbours-agent</c> command; the agent connects everything and answers
/// "ready" (or "error: …"), then obeys lines on stdin: "go" starts the floods, "mark" and "stop" ask for a
/// snapshot (the last one ends it). It writes a snapshot line once a second and one per request. Its stdin
/// closing means the coordinator is gone: it stops.
/// </summary>
internal static class NeighboursAgent
{
    public const string Command = "neighbours-agent";
    public const string Ready = "ready", Go = "go", Mark = "mark", Stop = "stop";

    public static string EncodePlan(NeighboursPlan plan) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(plan, AgentProtocol.Json)));

    public static NeighboursPlan DecodePlan(string base64) =>
        JsonSerializer.Deserialize<NeighboursPlan>(Encoding.UTF8.GetString(Convert.FromBase64String(base64)), AgentProtocol.Json)
        ?? throw new FormatException("empty plan");

    /// <summary>The child's side.</summary>
    public static async Task<int> RunAsync(string encodedPlan, CancellationToken cancel)
    {
        var plan = DecodePlan(encodedPlan);
        FileLimit.RaiseSoftToHard();
        if (ThreadPriority.LowerEveryThread(plan.NeighboursNice) is { } refused)
        {
            Console.Out.WriteLine("error: " + refused);
            Console.Out.Flush();
            return 1;
        }
        var stdout = Console.Out;
        var gate = new object();
        void Send(string line)
        {
            lock (gate)
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }
        }
        await using var fleet = new NeighbourFleet(plan);
        if (await fleet.ConnectAsync().ConfigureAwait(false) is { } failure)
        {
            Send("error: " + failure);
            return 1;
        }
        Send(Ready);
        using var ticking = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        Task ticks = Task.CompletedTask;
        while (await ReadLineAsync(cancel).ConfigureAwait(false) is { } command)
        {
            switch (command)
            {
                case Go:
                    fleet.Go();
                    ticks = TickAsync(fleet, Send, ticking.Token);
                    break;
                case Mark:
                    Send(Encode(fleet.Snapshot(FleetSnapshot.Mark)));
                    break;
                case Stop:
                    Send(Encode(fleet.Snapshot(FleetSnapshot.Final)));
                    await ticking.CancelAsync().ConfigureAwait(false);
                    await ticks.ConfigureAwait(false);
                    return 0;
            }
        }
        return 1; // the coordinator went away
    }

    private static async Task<string?> ReadLineAsync(CancellationToken cancel)
    {
        try { return await Console.In.ReadLineAsync(cancel).ConfigureAwait(false); }
        catch (Exception e) when (e is OperationCanceledException or IOException) { return null; }
    }

    private static async Task TickAsync(NeighbourFleet fleet, Action<string> send, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
                send(Encode(fleet.Snapshot(FleetSnapshot.Tick)));
        }
        catch (OperationCanceledException) { }
    }

    public static string Encode(FleetSnapshot s) => JsonSerializer.Serialize(s, AgentProtocol.Json);

    public static FleetSnapshot Decode(string line) =>
        JsonSerializer.Deserialize<FleetSnapshot>(line, AgentProtocol.Json) ?? throw new FormatException("empty snapshot");
}

/// <summary>The coordinator's side: the neighbours in a child process of this same executable.</summary>
internal sealed class NeighboursAgentProcess : INeighbours
{
    private readonly SelfProcess _child;
    private readonly TaskCompletionSource<string?> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<string, TaskCompletionSource<FleetSnapshot>> _requested = new();
    private readonly Task _pump;
    private readonly object _gate = new();
    private volatile FleetSnapshot? _latest;

    public NeighboursAgentProcess(NeighboursPlan plan)
    {
        _child = SelfProcess.Start(NeighboursAgent.Command, NeighboursAgent.EncodePlan(plan));
        Pid = _child.Pid;
        _pump = Task.Run(PumpAsync);
    }

    public int? Pid { get; }

    public FleetSnapshot? Latest => _latest;

    public Task<string?> ConnectAsync() => _ready.Task;

    public void Go() => _child.Send(NeighboursAgent.Go);

    public Task<FleetSnapshot> SnapshotAsync(string kind)
    {
        var tcs = new TaskCompletionSource<FleetSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _requested[kind] = tcs;
        _child.Send(kind == FleetSnapshot.Final ? NeighboursAgent.Stop : NeighboursAgent.Mark);
        return tcs.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task PumpAsync()
    {
        await _child.ReadLinesAsync(l =>
        {
            if (l == NeighboursAgent.Ready) { _ready.TrySetResult(null); return; }
            if (l.StartsWith("error: ", StringComparison.Ordinal)) { _ready.TrySetResult(l["error: ".Length..]); return; }
            if (!l.StartsWith('{')) return;
            var snapshot = NeighboursAgent.Decode(l);
            _latest = snapshot;
            TaskCompletionSource<FleetSnapshot>? waiting;
            lock (_gate)
                if (_requested.Remove(snapshot.Kind, out waiting)) { }
            waiting?.TrySetResult(snapshot);
        });
        string died = $"the neighbours' process exited with {_child.ExitCode} ({_child.LastError ?? "no message"})";
        _ready.TrySetResult(died);
        lock (_gate)
            foreach (var t in _requested.Values) t.TrySetException(new IOException(died));
    }

    public async ValueTask DisposeAsync()
    {
        _child.CloseInput();
        if (!_child.WaitForExit(TimeSpan.FromSeconds(15)))
            _child.Kill();
        await _pump.WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(false);
        _child.Dispose();
    }
}
