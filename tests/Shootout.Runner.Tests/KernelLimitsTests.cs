using Shootout.Runner.Machine;
using Shootout.Runner.Processes;
// The runner's own scrape parser is under test here, not the test-support one of the same name.
using MetricsScrape = Shootout.Runner.Processes.MetricsScrape;

namespace Shootout.Runner.Tests;

/// <summary>Kernel limits against a fake /proc/sys: raised as needed and never lowered; without root, the cap and its reason.</summary>
public sealed class KernelLimitsTests
{
    private static (KernelLimits Limits, Dictionary<string, string> Values) Fake(params (string Name, string Value)[] values)
    {
        var d = values.ToDictionary(v => v.Name, v => v.Value);
        return (new KernelLimits(n => d.TryGetValue(n, out var v) ? v : null, (n, v) => d[n] = v), d);
    }

    [Fact]
    public void Raises_what_a_large_threads_run_needs_and_reports_old_and_new()
    {
        var (limits, values) = Fake(("net.core.somaxconn", "4096"), ("net.ipv4.tcp_max_syn_backlog", "1024"), ("kernel.pid_max", "32768"),
            ("kernel.threads-max", "192730"), ("vm.max_map_count", "65530"), ("net.ipv4.ip_local_port_range", "32768\t60999"));

        var changes = limits.Raise(KernelLimits.Needs(connections: 200_000, processes: 11, threadsNow: 500));

        Assert.Contains(changes, c => c is { Name: "kernel.pid_max", Old: "32768" } && long.Parse(c.New) >= 200_000);
        Assert.Contains(changes, c => c is { Name: "kernel.threads-max", Old: "192730" } && long.Parse(c.New) >= 200_000);
        Assert.Contains(changes, c => c is { Name: "vm.max_map_count" } && long.Parse(c.New) >= 200_000 / 11 * KernelLimits.MapsPerThread);
        Assert.Contains(changes, c => c is { Name: "net.ipv4.ip_local_port_range", Old: "32768 60999", New: "15000 64999" });
        Assert.Equal(values["kernel.pid_max"], changes.Single(c => c.Name == "kernel.pid_max").New);
    }

    [Fact]
    public void Never_lowers_a_value_already_above_the_need()
    {
        var (limits, values) = Fake(("net.core.somaxconn", "65535"), ("net.ipv4.tcp_max_syn_backlog", "65535"), ("kernel.pid_max", "4194304"),
            ("kernel.threads-max", "9000000"), ("vm.max_map_count", "1000000"), ("net.ipv4.ip_local_port_range", "1024 65535"));

        Assert.Empty(limits.Raise(KernelLimits.Needs(connections: 1000, processes: 1, threadsNow: 500)));
        Assert.Equal("4194304", values["kernel.pid_max"]);
        Assert.Equal("1024 65535", values["net.ipv4.ip_local_port_range"]);
    }

    [Fact]
    public void Puts_back_every_raised_value_after_the_run()
    {
        var before = new (string, string)[] { ("net.core.somaxconn", "4096"), ("net.ipv4.tcp_max_syn_backlog", "1024"), ("kernel.pid_max", "32768"),
            ("kernel.threads-max", "192730"), ("vm.max_map_count", "65530"), ("fs.file-max", "9223372036854775807"), ("net.ipv4.ip_local_port_range", "32768\t60999") };
        var (limits, values) = Fake(before);
        var changes = limits.Raise(KernelLimits.Needs(connections: 1_000_000, processes: 54, threadsNow: 500));
        Assert.Equal(6, changes.Count); // all but fs.file-max, already at its maximum
        // The kernel shows a range with a tab between its numbers, whatever was written.
        values["net.ipv4.ip_local_port_range"] = values["net.ipv4.ip_local_port_range"].Replace(' ', '\t');

        var restored = limits.Restore(changes);

        Assert.Equal(changes.Count, restored.Count);
        foreach (var (name, value) in before)
            Assert.Equal(value.Replace('\t', ' '), values[name].Replace('\t', ' '));
    }

    [Fact]
    public void Leaves_a_value_someone_else_changed_during_the_run()
    {
        var (limits, values) = Fake(("kernel.pid_max", "32768"), ("kernel.threads-max", "192730"), ("vm.max_map_count", "65530"));
        var changes = limits.Raise(KernelLimits.Needs(connections: 200_000, processes: 11, threadsNow: 500));
        values["kernel.pid_max"] = "4194304";

        var restored = limits.Restore(changes);

        Assert.DoesNotContain(restored, c => c.Name == "kernel.pid_max");
        Assert.Equal("4194304", values["kernel.pid_max"]);
        Assert.Equal("192730", values["kernel.threads-max"]);
        Assert.Equal("65530", values["vm.max_map_count"]);
    }

    [Fact]
    public void Without_root_the_tightest_limit_caps_the_run_and_is_named()
    {
        var (limits, _) = Fake(("kernel.pid_max", "32768"), ("kernel.threads-max", "192730"), ("vm.max_map_count", "65530"));

        var cap = limits.Cap(connections: 100_000, processes: 6, threadsNow: 500);

        Assert.NotNull(cap);
        Assert.Contains("kernel.pid_max 32768", cap.Value.Reason);
        Assert.InRange(cap.Value.Connections, 20_000, 32_768);
        Assert.Null(limits.Cap(connections: 1_000, processes: 1, threadsNow: 500));
    }

    [Theory]
    [InlineData(1, 18_000, 1)]
    [InlineData(18_000, 18_000, 1)]
    [InlineData(18_001, 18_000, 2)]
    [InlineData(200_000, 18_000, 14)]   // 15,300 each: room for SO_REUSEPORT's uneven spread
    [InlineData(1_000_000, 18_800, 63)]
    public void Server_copies_cover_the_connections(int connections, int perProcess, int copies) =>
        Assert.Equal(copies, ServerFleet.CopiesFor(connections, perProcess));

    [Fact]
    public void Metrics_sum_adds_every_sample_of_the_name_only()
    {
        const string text = "# HELP shootout_server_connections open\n# TYPE shootout_server_connections gauge\n" +
                            "shootout_server_connections{engine=\"epoll\"} 1234\nshootout_server_connections_accepted_total{engine=\"epoll\"} 99\n" +
                            "shootout_server_connections{engine=\"epoll\",x=\"}\"} 6\n";
        Assert.Equal(1240, MetricsScrape.Sum(text, "shootout_server_connections"));
    }
}
