using System.Diagnostics;

namespace Shootout.Seed;

/// <summary>One async method per task awaiting <see cref="Task.Delay(TimeSpan)"/>: the runtime's timers, no thread each.</summary>
internal static class SleepingTasks
{
    public static async Task<SleepResult> RunAsync(int tasks)
    {
        var alive = new AliveCount();
        var all = new Task[tasks];
        var start = Stopwatch.StartNew();
        for (int i = 0; i < tasks; i++) all[i] = SleepAsync(alive);
        double startSeconds = start.Elapsed.TotalSeconds;
        await Task.WhenAll(all);
        return new SleepResult(tasks, alive.Peak, startSeconds);
    }

    private static async Task SleepAsync(AliveCount alive)
    {
        alive.Enter();
        await Task.Delay(SleepResult.Sleep);
        alive.Leave();
    }
}
