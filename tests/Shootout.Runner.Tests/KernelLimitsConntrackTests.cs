using Shootout.Runner.Machine;

namespace Shootout.Runner.Tests;

/// <summary>
/// The kernel's connection tracking against a fake /proc/sys: an active table's maximum raised for the
/// run and put back; an absent or idle one left alone; without root, the wall named before and after the ramp.
/// </summary>
public sealed class KernelLimitsConntrackTests
{
    private static (KernelLimits Limits, Dictionary<string, string> Values) Fake(params (string Name, string Value)[] values)
    {
        var d = values.ToDictionary(v => v.Name, v => v.Value);
        return (new KernelLimits(n => d.TryGetValue(n, out var v) ? v : null, (n, v) => d[n] = v), d);
    }

    private const string Count = "net.netfilter.nf_conntrack_count";

    [Fact]
    public void An_active_table_gets_room_for_the_run_and_its_maximum_back_afterwards()
    {
        var (limits, values) = Fake((Count, "1200"), (KernelLimits.ConntrackMax, "262144"));

        var changes = limits.Raise(KernelLimits.Needs(connections: 1_000_000, processes: 54, threadsNow: 500, limits.ConntrackInUse()));

        var change = Assert.Single(changes, c => c.Name == KernelLimits.ConntrackMax);
        Assert.Equal("262144", change.Old);
        // Every connection of this engine, the previous engine's still in TIME_WAIT, and what was in use.
        Assert.True(long.Parse(values[KernelLimits.ConntrackMax]) >= 2_000_000 + 1_200, values[KernelLimits.ConntrackMax]);
        Assert.Null(limits.ConntrackWarning(1_000_000));

        limits.Restore(changes);

        Assert.Equal("262144", values[KernelLimits.ConntrackMax]);
    }

    [Fact]
    public void No_table_or_an_idle_one_is_left_alone()
    {
        var (absent, _) = Fake(("kernel.pid_max", "4194304"));
        var (idle, idleValues) = Fake((Count, "0"), (KernelLimits.ConntrackMax, "262144"));

        foreach (var limits in new[] { absent, idle })
        {
            Assert.Null(limits.ConntrackInUse());
            Assert.DoesNotContain(KernelLimits.Needs(1_000_000, 54, 500, limits.ConntrackInUse()), n => n.Name == KernelLimits.ConntrackMax);
            Assert.Null(limits.ConntrackWarning(1_000_000));
            Assert.Null(limits.ConntrackFull());
        }
        Assert.DoesNotContain(idle.Raise(KernelLimits.Needs(1_000_000, 54, 500, idle.ConntrackInUse())), c => c.Name == KernelLimits.ConntrackMax);
        Assert.Equal("262144", idleValues[KernelLimits.ConntrackMax]);
    }

    [Fact]
    public void Without_root_the_wall_is_named_before_the_ramp_with_where_it_will_stop()
    {
        var (limits, _) = Fake((Count, "2144"), (KernelLimits.ConntrackMax, "262144"));

        string? warning = limits.ConntrackWarning(1_000_000);

        Assert.NotNull(warning);
        Assert.Contains("conntrack table full", warning);
        Assert.Contains("260,000 connections", warning);
        Assert.Contains(KernelLimits.ConntrackMax, warning);
        // A run that fits leaves nothing to say.
        Assert.Null(limits.ConntrackWarning(50_000));
    }

    [Fact]
    public void After_a_ramp_that_stopped_at_a_full_table_the_wall_is_named_with_its_numbers()
    {
        var (limits, values) = Fake((Count, "262082"), (KernelLimits.ConntrackMax, "262144"));

        string? full = limits.ConntrackFull();

        Assert.NotNull(full);
        Assert.StartsWith("conntrack table full (nf_conntrack_count 262,082 of nf_conntrack_max 262,144)", full);

        values[Count] = "180000";
        Assert.Null(limits.ConntrackFull());
    }
}
