using Shootout.LoadGen.Net;
using Shootout.LoadGen.Plan;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// Tests that hold tens of thousands of connections, or take a core away on purpose, run alone, not beside the
/// other classes: a starved generator beside the 20,000-connection scenario config reported no per-second
/// figures at all and so no hint (CI, twice in a row).
/// </summary>
[CollectionDefinition(nameof(ScaleCollection), DisableParallelization = true)]
public sealed class ScaleCollection;

/// <summary>Connections that spread themselves over source addresses, against the real server.</summary>
[Collection(nameof(ScaleCollection))]
public sealed class SpreadTests
{
    [Fact]
    public void Sixty_thousand_connections_to_one_loopback_address_succeed()
    {
        // One server process holds ~19,500 connections under the 20,000 open-file limit: four SO_REUSEPORT
        // copies share the port. One destination's ephemeral ports (~28K) would stall the hold near half of
        // that; the generator spreads its source addresses over 127.0.0.x by itself. The hold lasts long
        // enough after the 6 s ramp for a loaded machine's slow accepts to catch up.
        using var server = new ServerCopies(4, "epoll");
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromMinutes(5), null, "hold", "--target", $"127.0.0.1:{server.Port}",
            "--connections", "60000", "--connect-rate", "10000", "--duration", "20s", "--connect-timeout", "30s",
            "--report-dir", dir, "--plain", "--threshold", "connections>=60000");

        Assert.True(r.ExitCode == 0, r.Stderr + r.Stdout[^Math.Min(2000, r.Stdout.Length)..]);
        Assert.Equal(60000, (long)r.Summary["connections"]!["established"]!);
        Assert.Equal(60000, (long)r.Summary["connections"]!["peak_open"]!);
        Assert.True((int)r.Summary["source_addresses"]! >= 3, "spread over several source addresses");
        Assert.Empty(r.Summary["errors"]!.AsObject());
    }

    [Fact]
    public void Loopback_targets_get_source_addresses_only_past_one_pairs_ports()
    {
        Assert.Empty(SourceAddresses.AutoForLoopback(["127.0.0.1:7000"], 1000));
        var many = SourceAddresses.AutoForLoopback(["127.0.0.1:7000"], 60_000);
        Assert.True(many.Count >= 3);
        Assert.Equal("127.0.0.1", many[0]);
        Assert.Equal("127.0.0.2", many[1]);
        // Four destinations carry 60,000 between them: fewer sources needed.
        Assert.True(SourceAddresses.AutoForLoopback(["127.0.0.1:7000", "127.0.0.2:7000", "127.0.0.3:7000", "127.0.0.4:7000"], 60_000).Count <= 2);
        Assert.Empty(SourceAddresses.AutoForLoopback(["10.1.2.3:7000"], 60_000));
    }

    [Fact]
    public void Source_addresses_take_lists_and_cidr_blocks()
    {
        Assert.Equal(["127.0.0.1", "127.0.0.2"], SourceAddresses.Parse("127.0.0.1, 127.0.0.2", "--source-addresses"));
        Assert.Equal(["127.0.1.1", "127.0.1.2"], SourceAddresses.Parse("127.0.1.0/30", "--source-addresses"));
        Assert.Contains("'banana'", Assert.Throws<UsageException>(() => SourceAddresses.Parse("banana", "--source-addresses")).Message);
        Assert.Contains("not an address of this machine",
            Assert.Throws<UsageException>(() => SourceAddresses.Parse("192.0.2.77", "--source-addresses")).Message);
    }

    [Fact]
    public void Explicit_source_addresses_carry_the_load()
    {
        using var server = new ServerCopies(1, "epoll");
        var dir = LoadGenProcess.NewReportDir();
        var r = LoadGenProcess.Run(dir, TimeSpan.FromMinutes(2), null, "echo", "--target", $"127.0.0.1:{server.Port}",
            "--connections", "8", "--rate", "200", "--duration", "1s", "--report-dir", dir, "--source-addresses", "127.0.3.0/30");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2, (int)r.Summary["source_addresses"]!);
        Assert.Equal(8, (long)r.Summary["connections"]!["established"]!);
    }

    [Fact]
    public void Running_out_of_ports_is_named_with_its_fix()
    {
        string described = ErrorKinds.Describe(ErrorKinds.PortsExhausted);
        Assert.Contains("ephemeral ports", described);
        Assert.Contains("--source-addresses", described);
        var timeout = new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.TimedOut);
        Assert.Equal(ErrorKinds.PortsExhausted, ErrorKinds.ClassifyConnect(timeout, heldPerPair: 20_000, portRange: 28_232));
        Assert.Equal(ErrorKinds.Timeout, ErrorKinds.ClassifyConnect(timeout, heldPerPair: 100, portRange: 28_232));
    }
}
