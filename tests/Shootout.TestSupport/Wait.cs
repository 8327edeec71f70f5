namespace Shootout.TestSupport;

/// <summary>
/// Polls a condition until it holds or a deadline passes: no test depends on timing luck, and none sleeps
/// for "long enough". On timeout the exception names what was awaited, so a failure says what never happened.
/// A condition may throw to give up early (say, the process it waits on exited).
/// </summary>
public static class Wait
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <param name="what">What is awaited, read after "waiting for": "the server to report running out of descriptors".</param>
    public static void Until(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw TimedOut(timeout, what);
            Thread.Sleep(poll ?? DefaultPoll);
        }
    }

    /// <summary>The same, for async tests: the poll does not block a thread.</summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw TimedOut(timeout, what);
            await Task.Delay(poll ?? DefaultPoll);
        }
    }

    /// <summary>Polls until <paramref name="probe"/> returns a value (not null), and returns it.</summary>
    public static T For<T>(Func<T?> probe, TimeSpan timeout, string what, TimeSpan? poll = null) where T : class
    {
        T? found = null;
        Until(() => (found = probe()) is not null, timeout, what, poll);
        return found!;
    }

    private static TimeoutException TimedOut(TimeSpan timeout, string what) =>
        new($"timed out after {timeout.TotalSeconds:0.#}s waiting for {what}");
}
