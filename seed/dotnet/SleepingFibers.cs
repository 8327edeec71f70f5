using System.Diagnostics;
using Shootout.Netpoll;

namespace Shootout.Seed;

/// <summary>
/// One netpoller fiber per task, each awaiting <see cref="EventLoop.Delay"/>: a pooled entry on its
/// loop's timer heap while it sleeps, no thread and no System.Threading timer. The tasks are spread
/// over the loops (one per core); each loop starts its share from a fiber of its own, so every fiber
/// and its continuation stay on that loop's thread.
/// </summary>
internal static class SleepingFibers
{
    public static async Task<SleepResult> RunAsync(int tasks)
    {
        await using var group = new EventLoopGroup();
        var alive = new AliveCount();
        var start = Stopwatch.StartNew();
        var started = new TaskCompletionSource[group.Loops.Count];
        var shares = new Task[group.Loops.Count];
        for (int l = 0; l < group.Loops.Count; l++)
        {
            int share = tasks / group.Loops.Count + (l < tasks % group.Loops.Count ? 1 : 0);
            var loop = group.Loops[l];
            var spawned = started[l] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            shares[l] = loop.Spawn(() => ShareAsync(loop, share, alive, spawned));
        }
        await Task.WhenAll(started.Select(s => s.Task));
        double startSeconds = start.Elapsed.TotalSeconds;
        await Task.WhenAll(shares);
        return new SleepResult(tasks, alive.Peak, startSeconds);
    }

    /// <summary>Runs on <paramref name="loop"/>'s thread: starts <paramref name="count"/> sleeping fibers, completes when the last wakes.</summary>
    private static Task ShareAsync(EventLoop loop, int count, AliveCount alive, TaskCompletionSource spawned)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int left = count; // only this loop's thread touches it
        if (left == 0) done.SetResult();
        for (int i = 0; i < count; i++) _ = SleepAsync();
        spawned.SetResult();
        return done.Task;

        async Task SleepAsync()
        {
            alive.Enter();
            await loop.Delay(SleepResult.Sleep);
            alive.Leave();
            if (--left == 0) done.SetResult();
        }
    }
}
