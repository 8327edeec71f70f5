using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Agents;

/// <summary>One local agent: a child process of this same executable running the hidden <c>agent</c>
/// command with its share of the plan.</summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly SelfProcess _child;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Index { get; }
    public int Pid => _child.Pid;
    public Task ReadyTask => _ready.Task;
    public string? LastError => _child.LastError;

    private AgentProcess(int index, SelfProcess child)
    {
        Index = index;
        _child = child;
    }

    public static AgentProcess Start(int index, IReadOnlyList<LoadPlan> plans) =>
        new(index, SelfProcess.Start("agent", AgentProtocol.EncodePlans(plans)));

    /// <summary>Reads the agent's ticks until it exits; returns true when the final tick of each of its
    /// <paramref name="scenarios"/> arrived (one missing: a scenario of it failed, and the agent counts as lost).</summary>
    public async Task<bool> PumpAsync(Action<Tick> onTick, int scenarios = 1)
    {
        int finals = 0;
        await _child.ReadLinesAsync(l =>
        {
            if (l == AgentProtocol.Ready) { _ready.TrySetResult(); return; }
            if (!l.StartsWith('{')) return;
            var tick = AgentProtocol.DecodeTick(l);
            onTick(tick);
            if (tick.Final) finals++;
        });
        _ready.TrySetResult();
        return finals >= scenarios;
    }

    public void Go() => _child.Send(AgentProtocol.Go);

    /// <summary>Asks the agent to stop and report (SIGTERM); it writes its final tick and exits.</summary>
    public void Stop() => _child.Terminate();

    public void Kill() => _child.Kill();

    public void Dispose()
    {
        Kill();
        _child.Dispose();
    }
}
