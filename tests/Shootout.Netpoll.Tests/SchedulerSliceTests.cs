namespace Shootout.Netpoll.Tests;

/// <summary>A loop thread takes the scheduler slice it was given (EEVDF's custom slice, Linux 6.12+).</summary>
public class SchedulerSliceTests
{
    [Fact]
    public async Task A_loop_thread_runs_with_the_slice_it_asked_for()
    {
        var group = new EventLoopGroup(new NetpollOptions { Loops = 1, SchedulerSlice = TimeSpan.FromMicroseconds(200) });
        try
        {
            string sched = "";
            await group.Loops[0].Spawn(() =>
            {
                sched = File.ReadAllText("/proc/thread-self/sched");
                return Task.CompletedTask;
            }).WaitAsync(RunningEngine.Timeout);
            // Custom slices came with Linux 6.12; before, the kernel refuses and the loop keeps the default.
            if (Environment.OSVersion.Version >= new Version(6, 12))
                Assert.Matches(@"se\.slice\s+:\s+200000\b", sched);
            Assert.Matches(@"policy\s+:\s+0\b", sched); // still SCHED_OTHER
        }
        finally
        {
            await group.StopAsync().WaitAsync(RunningEngine.Timeout);
        }
    }
}
