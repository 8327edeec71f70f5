using System.Reflection;
using Shootout.Fibers;

namespace Shootout.Netpoll.Tests;

/// <summary>
/// The folders form a tree of dependencies: the fiber core knows no poller, and the epoll netpoller sits on it
/// (the io_uring engine's side of the same tree is checked in Shootout.Uring.Tests).
/// </summary>
public sealed class LayeringTests
{
    [Fact]
    public void The_fiber_core_references_neither_poller_nor_any_server()
    {
        string[] referenced = References(typeof(Fiber).Assembly);

        Assert.DoesNotContain(referenced, name => name.StartsWith("Shootout.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_netpoller_sits_on_the_fiber_core()
    {
        string[] referenced = References(typeof(EventLoop).Assembly);

        Assert.Contains("Shootout.Fibers", referenced);
        Assert.True(typeof(LoopThread).IsAssignableFrom(typeof(EventLoop)), "an EventLoop is the core's LoopThread");
        Assert.True(typeof(OperationSource).IsAssignableFrom(typeof(NetConnection)), "a NetConnection is the core's OperationSource");
    }

    private static string[] References(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(name => name.Name!).ToArray();
}
