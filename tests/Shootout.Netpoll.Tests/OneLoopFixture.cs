using System.Net;
using System.Net.Sockets;

namespace Shootout.Netpoll.Tests;

/// <summary>One event loop and a plain loopback listener for it to connect to; stopped after each test.</summary>
public abstract class OneLoopFixture : IAsyncLifetime
{
    protected readonly List<Exception> LoopErrors = [];
    protected readonly EventLoopGroup Group;
    protected readonly Socket Listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    protected EventLoop Loop => Group.Loops[0];
    protected IPEndPoint ListenEndPoint => (IPEndPoint)Listener.LocalEndPoint!;

    /// <summary>What the loop reports through <see cref="NetpollOptions.OnError"/> is kept in <see cref="LoopErrors"/>.</summary>
    protected OneLoopFixture() =>
        Group = new EventLoopGroup(new NetpollOptions { Loops = 1, OnError = e => { lock (LoopErrors) LoopErrors.Add(e); } });

    public Task InitializeAsync()
    {
        Listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Listener.Listen(512);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Group.StopAsync().WaitAsync(RunningEngine.Timeout);
        Listener.Dispose();
    }

    /// <summary>Runs a fiber on the loop and waits for it.</summary>
    protected Task OnLoop(Func<Task> fiber) => Loop.Spawn(fiber).WaitAsync(RunningEngine.Timeout);
}
