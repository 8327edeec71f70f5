using Shootout.Runner.Machine;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

internal sealed partial class EngineRun
{
    /// <summary>
    /// For the engine's whole life: if MemAvailable falls below half the reserve anyway (past the ramp's own
    /// check), every process of this engine is killed at once, so the machine stays usable; the engine fails with the reason.
    /// </summary>
    private async Task GuardAsync(MemoryWatchdog watchdog, ServerFleet fleet, Func<LoadGenRun?> hold, EngineResult result, CancellationToken stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                if (watchdog.Check() == MemoryVerdict.Emergency)
                {
                    result.Fail(watchdog.Reason + "; every process of the engine was killed");
                    view.Line($"{plan.Engine}: {watchdog.Reason}: killing the load generator and the servers");
                    hold()?.KillTree();
                    fleet.KillAll();
                    return;
                }
                await Task.Delay(250, stop);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
