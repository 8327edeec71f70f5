using System.Net;
using System.Net.Sockets;

namespace Shootout.TestSupport.Tests;

public sealed class WaitAndPortsTests
{
    [Fact]
    public void A_wait_that_times_out_names_what_it_waited_for()
    {
        var e = Assert.Throws<TimeoutException>(() => Wait.Until(() => false, TimeSpan.FromMilliseconds(100), "the moon to rise"));
        Assert.Equal("timed out after 0.1s waiting for the moon to rise", e.Message);
    }

    [Fact]
    public async Task A_wait_returns_once_the_condition_holds_and_For_returns_the_value()
    {
        int polls = 0;
        await Wait.UntilAsync(() => ++polls == 3, TimeSpan.FromSeconds(30), "the third poll");
        Assert.Equal(3, polls);
        Assert.Equal("found", Wait.For(() => ++polls == 5 ? "found" : null, TimeSpan.FromSeconds(30), "the fifth poll"));
    }

    [Fact]
    public void A_free_port_can_be_bound_and_is_below_the_ephemeral_range()
    {
        int port = Ports.Free();
        int ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0]);
        Assert.True(port < ephemeralLow || ephemeralLow <= 12000, $"port {port}, ephemeral range from {ephemeralLow}");
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }
}
