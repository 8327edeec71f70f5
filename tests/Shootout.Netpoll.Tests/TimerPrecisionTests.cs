using System.Diagnostics;

namespace Shootout.Netpoll.Tests;

/// <summary>The timer heap keeps Stopwatch time and the wait sleeps to the microsecond (epoll_pwait2).</summary>
public class TimerPrecisionTests : OneLoopFixture
{
    [Fact]
    public async Task A_fiber_sleeping_until_a_time_never_resumes_before_it_and_sleepers_wake_in_due_order()
    {
        var woke = new List<(int Index, long Due, long At)>();
        await OnLoop(() =>
        {
            long start = Stopwatch.GetTimestamp();
            // Sub-millisecond dues, out of order: a millisecond clock would see several of them as equal.
            var sleepers = new[] { 700, 150, 450, 300, 1200, 50 }.Select(async (micros, index) =>
            {
                long due = start + micros * Stopwatch.Frequency / 1_000_000;
                await Loop.DelayUntil(due);
                woke.Add((index, due, Stopwatch.GetTimestamp()));
            }).ToArray();
            return Task.WhenAll(sleepers);
        });
        Assert.Equal([5, 1, 3, 2, 0, 4], woke.Select(w => w.Index));
        Assert.All(woke, w => Assert.True(w.At >= w.Due, $"sleeper {w.Index} woke {w.Due - w.At} ticks early"));
    }

    [Fact]
    public async Task A_time_already_past_resumes_at_once_on_the_loop_thread()
    {
        int loopThread = 0, resumedOn = -1;
        await OnLoop(async () =>
        {
            loopThread = Environment.CurrentManagedThreadId;
            await Loop.DelayUntil(Stopwatch.GetTimestamp() - Stopwatch.Frequency);
            resumedOn = Environment.CurrentManagedThreadId;
        });
        Assert.Equal(loopThread, resumedOn);
    }

    [Fact]
    public async Task The_wait_takes_nanoseconds_where_the_kernel_has_epoll_pwait2()
    {
        await OnLoop(() => Loop.Delay(TimeSpan.FromMicroseconds(200)).AsTask());
        // epoll_pwait2 came with Linux 5.11; older kernels fall back to milliseconds, rounded up.
        bool kernelHasIt = Environment.OSVersion.Version >= new Version(5, 11);
        Assert.Equal(kernelHasIt, Poller.NanosecondWait);
    }
}
