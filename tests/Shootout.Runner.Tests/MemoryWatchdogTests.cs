using Shootout.Runner.Machine;

namespace Shootout.Runner.Tests;

/// <summary>The MemAvailable watchdog against fake /proc/meminfo files: when a ramp stops, when everything is killed, and why.</summary>
public sealed class MemoryWatchdogTests : IDisposable
{
    private const long GiB = 1L << 30;
    private readonly string _meminfo = Path.Combine(Path.GetTempPath(), $"meminfo-{Guid.NewGuid():N}");

    private void Available(long kb, bool withMemAvailable = true) => File.WriteAllText(_meminfo,
        $"MemTotal:       24683856 kB\nMemFree:         {kb / 2} kB\n" + (withMemAvailable ? $"MemAvailable:   {kb} kB\n" : "") +
        $"Cached:          {kb / 2} kB\nSlab:             123456 kB\n");

    private MemoryWatchdog Watchdog(long reserve) => new(() => MemInfo.AvailableBytes(_meminfo), reserve);

    [Fact]
    public void Plenty_of_memory_lets_the_ramp_go_on()
    {
        Available(20L * 1024 * 1024);
        var w = Watchdog(3 * GiB);
        Assert.Equal(MemoryVerdict.Fine, w.Check(pendingConnections: 10_000, acceptCost: MemoryWatchdog.AcceptCost("threads")));
        Assert.Equal(20 * GiB, w.LowestBytes);
    }

    [Fact]
    public void Below_the_reserve_stops_the_ramp_and_says_memory()
    {
        Available(2L * 1024 * 1024 + 512 * 1024); // 2.5 GiB
        var w = Watchdog(3 * GiB);
        Assert.Equal(MemoryVerdict.StopRamp, w.Check());
        Assert.StartsWith("memory: MemAvailable 2.50 GiB below the 3.00 GiB reserve", w.Reason);
    }

    [Fact]
    public void Connections_still_queued_count_against_the_reserve_before_they_are_accepted()
    {
        Available(4L * 1024 * 1024); // 4 GiB: above the reserve on its own
        var w = Watchdog(3 * GiB);
        Assert.Equal(MemoryVerdict.Fine, w.Check(pendingConnections: 1_000, acceptCost: MemoryWatchdog.AcceptCost("threads")));
        // 40,000 queued threads-engine connections will take ~1.5 GiB once accepted: 4 - 1.5 < 3.
        Assert.Equal(MemoryVerdict.StopRamp, w.Check(pendingConnections: 40_000, acceptCost: MemoryWatchdog.AcceptCost("threads")));
        Assert.Contains("40,000 connections still queued", w.Reason);
        // The same queue costs the epoll engine next to nothing.
        Assert.Equal(MemoryVerdict.Fine, w.Check(pendingConnections: 40_000, acceptCost: MemoryWatchdog.AcceptCost("epoll")));
    }

    [Fact]
    public void A_fast_fall_stops_the_ramp_before_it_reaches_the_reserve()
    {
        double now = 0;
        var w = new MemoryWatchdog(() => MemInfo.AvailableBytes(_meminfo), 3 * GiB, () => now);
        Available(12L * 1024 * 1024);
        Assert.Equal(MemoryVerdict.Fine, w.Check());
        // 1 GiB a second: at 5 GiB, three seconds from the reserve.
        foreach (long gib in new long[] { 11, 10, 9, 8, 7, 6 })
        {
            now += 1;
            Available(gib * 1024 * 1024);
            Assert.Equal(MemoryVerdict.Fine, w.Check());
        }
        now += 1;
        Available(5L * 1024 * 1024);
        Assert.Equal(MemoryVerdict.StopRamp, w.Check());
        Assert.Contains("falling 1.00 GiB/s, below the 3.00 GiB reserve within 3 s", w.Reason);
        // Once it holds, 5 GiB is plenty again.
        now += 1;
        Assert.Equal(MemoryVerdict.Fine, w.Check());
        // A slow fall with a queue still to be accepted: the reason names both.
        now += 1;
        Available(5L * 1024 * 1024 - 512 * 1024);
        Assert.Equal(MemoryVerdict.StopRamp, w.Check(pendingConnections: 20_000, acceptCost: 64 * 1024));
        Assert.Contains("MemAvailable 4.50 GiB, 3.28 GiB once the 20,000 connections still queued or connecting are accepted, falling 0.50 GiB/s", w.Reason);
    }

    [Fact]
    public void Below_half_the_reserve_is_an_emergency_and_the_lowest_reading_is_kept()
    {
        var w = Watchdog(3 * GiB);
        Available(5L * 1024 * 1024);
        w.Check();
        Available(1L * 1024 * 1024);
        Assert.Equal(MemoryVerdict.Emergency, w.Check());
        Assert.Contains("below 1.50 GiB (half the 3.00 GiB reserve)", w.Reason);
        Available(6L * 1024 * 1024);
        Assert.Equal(MemoryVerdict.Fine, w.Check());
        Assert.Equal(1 * GiB, w.LowestBytes);
    }

    [Fact]
    public void Old_kernels_without_MemAvailable_use_free_plus_cache_and_an_unreadable_file_never_stops_a_run()
    {
        Available(2L * 1024 * 1024, withMemAvailable: false);
        Assert.Equal(2 * GiB, MemInfo.AvailableBytes(_meminfo));
        File.Delete(_meminfo);
        Assert.Null(MemInfo.AvailableBytes(_meminfo));
        Assert.Equal(MemoryVerdict.Fine, Watchdog(3 * GiB).Check());
    }

    [Fact]
    public void A_million_connections_raise_the_open_file_maximum_for_both_ends()
    {
        var needs = KernelLimits.Needs(connections: 1_000_000, processes: 54, threadsNow: 500);
        Assert.True(needs.Single(n => n.Name == "fs.file-max").Needed >= 2_000_000);
        Assert.True(needs.Single(n => n.Name == "kernel.pid_max").Needed >= 1_000_000);
    }

    public void Dispose() => File.Delete(_meminfo);
}
