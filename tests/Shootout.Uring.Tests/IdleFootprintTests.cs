using System.Reflection;
using Shootout.Engines.Uring;
using Shootout.Fibers;

namespace Shootout.Uring.Tests;

/// <summary>
/// What an idle connection's own object costs: the largest part, with the fiber's box, of what a million idle
/// connections cost (the breakdown: servers/Shootout.Engines.Uring/README.md).
/// </summary>
public sealed class IdleFootprintTests
{
    [Fact]
    public void A_connection_object_is_88_bytes()
    {
        // Header and method table 16, the parked continuation 8, result, version and completed 8, the loop, its own
        // buffer and the arrivals queue 24, descriptor, slot, generation, idle clock, held buffer, received and
        // sent 28, operation and state 2 (+2 padding).
        Assert.Equal(88, InstanceSize.Of(typeof(UringConnection)));
    }

    [Fact]
    public void The_echo_fibers_box_is_56_bytes()
    {
        // Header and method table 16, the builder's box 8, the connection 8, the awaiter 16 (source, version),
        // the state 4 (+4 padding): no handler and no count held across an await.
        Type echoHandler = typeof(UringEngine).Assembly.GetType("Shootout.Engines.Uring.EchoHandler", throwOnError: true)!;
        Type stateMachine = echoHandler.GetNestedTypes(BindingFlags.NonPublic).Single(type => type.Name.StartsWith("<EchoAsync>", StringComparison.Ordinal));
        Type box = typeof(FiberMethodBuilder).GetNestedType("FiberBox`1", BindingFlags.NonPublic)!.MakeGenericType(stateMachine);

        Assert.Equal(56, InstanceSize.Of(box));
    }
}
