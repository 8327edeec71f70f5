using Shootout.Runner.Machine;

namespace Shootout.Runner.Tests;

public sealed class StolenTimeTests
{
    [Fact]
    public void Stolen_time_reads_each_cpu_of_this_machine_as_a_share_between_0_and_1()
    {
        var stolen = StolenTime.Start();
        // /proc/stat counts in clock ticks: a share exists once a CPU's counters have moved.
        Wait.Until(() => stolen.Shares().Count > 0, TimeSpan.FromSeconds(5), "the CPUs' counters in /proc/stat to move");
        var shares = stolen.Shares();
        Assert.NotEmpty(shares);
        Assert.All(shares, s => Assert.InRange(s.Value, 0, 1));
        Assert.All(shares.Keys, k => Assert.Matches("^cpu[0-9]+$", k));
    }
}
