using Shootout.Runner.Live;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Tests;

public sealed class PlainViewTests
{
    [Fact]
    public void A_long_progress_line_wraps_within_the_tables_width_at_spaces_with_a_hanging_indent()
    {
        var output = new StringWriter();
        var view = new PlainView(output);
        string text = "epoll: cost per message at 5,000 msg/s (24,999 messages, 4,998/s): 31.1 µs CPU (user 14.0, system 17.1), "
            + "2.47 syscalls, 0.35 voluntary + 0.04 involuntary context switches; net of 5 s at rest (0.01 s CPU)";
        view.Line(text);
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.True(lines.Count >= 2, string.Join("\n", lines));
        Assert.All(lines, l => Assert.True(l.Length <= PlainView.Width, $"{l.Length} columns: {l}"));
        Assert.All(lines.Skip(1), l => Assert.StartsWith("           ", l));
        // Nothing lost or reordered: the words read back as they were written.
        string joined = string.Join(" ", lines.Select(l => l.Trim()));
        Assert.EndsWith(text, joined);
    }

    [Fact]
    public void A_word_longer_than_a_line_stays_whole()
    {
        string path = "/work/" + new string('x', 150);
        var lines = PlainView.Wrap("results in " + path + " now", 120, "  ").ToList();
        Assert.Contains(lines, l => l.Trim() == path);
        Assert.Equal("results in " + path + " now", string.Join(" ", lines.Select(l => l.Trim())));
    }

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
