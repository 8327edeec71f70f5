using Shootout.Engines.Uring;
using Shootout.Fibers;

namespace Shootout.Uring.Tests;

/// <summary>The io_uring engine sits on the fiber core, beside the epoll netpoller and not on it.</summary>
public sealed class LayeringTests
{
    [Fact]
    public void The_uring_engine_references_the_fiber_core_and_not_the_epoll_netpoller()
    {
        string[] referenced = typeof(UringConnection).Assembly.GetReferencedAssemblies().Select(name => name.Name!).ToArray();

        Assert.Contains("Shootout.Fibers", referenced);
        Assert.DoesNotContain("Shootout.Netpoll", referenced);
        Assert.True(typeof(LoopThread).IsAssignableFrom(typeof(UringLoop)), "a UringLoop is the core's LoopThread");
        Assert.True(typeof(OperationSource).IsAssignableFrom(typeof(UringConnection)), "a UringConnection is the core's OperationSource");
    }
}
