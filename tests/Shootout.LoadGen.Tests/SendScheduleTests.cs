using Shootout.LoadGen.Engine;
using Xunit;

namespace Shootout.LoadGen.Tests;

public class SendScheduleTests
{
    [Fact]
    public void Each_send_falls_due_once_at_its_own_time_however_the_turns_fall()
    {
        var schedule = new SendSchedule();
        var sends = new List<double>();
        var random = new Random(7);
        for (double t = 0; t < 1; t += random.NextDouble() * 0.003)
            schedule.Advance(t, 1000, sends.Add);
        Assert.InRange(sends.Count, 998, 1000);
        for (int k = 0; k < sends.Count; k++)
            Assert.Equal((k + 1) / 1000.0, sends[k], 9);
    }

    [Fact]
    public void The_time_returned_is_the_next_send_so_a_loop_that_wakes_then_finds_exactly_it()
    {
        var schedule = new SendSchedule();
        double next = schedule.Advance(0, 2000, _ => Assert.Fail("nothing is due at 0"));
        Assert.Equal(0.0005, next, 12);
        for (int k = 1; k <= 100; k++)
        {
            var sends = new List<double>();
            double wake = next;
            next = schedule.Advance(wake, 2000, sends.Add);
            Assert.Equal(wake, Assert.Single(sends), 9);
            Assert.Equal(wake + 0.0005, next, 9);
        }
    }

    [Fact]
    public void Loops_at_a_share_of_the_rate_with_staggered_phases_interleave_as_one_schedule()
    {
        const int loops = 4;
        var all = new List<double>();
        for (int loop = 0; loop < loops; loop++)
        {
            var schedule = new SendSchedule(phase: (double)loop / loops);
            for (int turn = 0; turn <= 10_000; turn++)
                schedule.Advance(turn / 10_000.0, 1000.0 / loops, all.Add);
            schedule.Advance(1.00005, 1000.0 / loops, all.Add);
        }
        all.Sort();
        Assert.Equal(1000, all.Count);
        for (int k = 0; k < all.Count; k++)
            Assert.Equal((k + 1) / 1000.0, all[k], 9);
    }

    [Fact]
    public void A_pause_sends_nothing_and_says_so()
    {
        var schedule = new SendSchedule();
        schedule.Advance(0, 100, _ => { });
        Assert.Equal(double.PositiveInfinity, schedule.Advance(0.5, 0, _ => Assert.Fail("paused")));
        Assert.Equal(double.PositiveInfinity, schedule.Advance(0.6, 0, _ => Assert.Fail("paused")));
        var after = new List<double>();
        schedule.Advance(0.6, 100, after.Add);
        schedule.Advance(0.6101, 100, after.Add);
        Assert.Equal(0.61, Assert.Single(after), 9);
    }
}
