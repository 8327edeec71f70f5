using Shootout.LoadGen.Agents;
using Shootout.LoadGen.Engine;
using Shootout.LoadGen.Plan;

namespace Shootout.LoadGen;

/// <summary>The hidden <c>agent</c> command: one share of the load in a child process, ticks to stdout.</summary>
internal static class AgentCommand
{
    public static async Task<int> RunAsync(string encodedPlan, CancellationToken cancel)
    {
        var plans = AgentProtocol.DecodePlans(encodedPlan);
        // A scenario in a process of its own: every thread at its nice value, so the threads started later
        // (loops, pool, collector) inherit it.
        if (plans is [{ OwnProcess: true, Nice: not 0 } own]) Engine.ThreadPriority.TrySetEveryThread(own.Nice);
        var stdout = Console.Out;
        stdout.WriteLine(AgentProtocol.Ready);
        stdout.Flush();
        var go = await Console.In.ReadLineAsync(cancel).ConfigureAwait(false);
        if (go != AgentProtocol.Go) return 1;

        // The coordinator closing our stdin means it is gone: stop rather than load a server for nobody.
        using var orphaned = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _ = Task.Run(async () =>
        {
            try { while (await Console.In.ReadLineAsync().ConfigureAwait(false) is not null) { } }
            catch (IOException) { }
            orphaned.Cancel();
        });
        try
        {
            await RunAsync(plans, stdout, orphaned.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The coordinator reports an agent's last stderr line: the stack first, the one line that says what last.
            Console.Error.WriteLine(e.StackTrace);
            Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
            return 1;
        }
        return 0;
    }

    private static async Task RunAsync(IReadOnlyList<LoadPlan> plans, TextWriter stdout, CancellationToken cancel)
    {
        var gate = new object();
        await ScenarioSet.RunAsync(plans, t =>
        {
            string line = AgentProtocol.EncodeTick(t);
            lock (gate)
            {
                stdout.WriteLine(line);
                stdout.Flush();
            }
        }, cancel).ConfigureAwait(false);
    }
}
