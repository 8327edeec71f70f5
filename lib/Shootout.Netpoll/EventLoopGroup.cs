using System.Net.Sockets;
using Shootout.Fibers.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// N event loops (M:N scheduling: many fibers on N threads). A server hands it a listening socket;
/// a client spawns fibers on <see cref="Next"/> and connects from them.
/// </summary>
public sealed class EventLoopGroup : IAsyncDisposable
{
    private readonly EventLoop[] _loops;
    private int _next = -1;
    private IReadOnlyList<Socket>? _listenSockets;
    private int _stopped;

    public EventLoopGroup(NetpollOptions? options = null)
    {
        options ??= new NetpollOptions();
        if (options.Loops < 0)
            throw new ArgumentOutOfRangeException(nameof(options), "Loops must be 0 (one per core) or more");
        if (options.FiberBudget < 1 || options.FiberByteBudget < 1 || options.SharedBufferSize < 1)
            throw new ArgumentOutOfRangeException(nameof(options));
        int count = options.LoopCount;
        _loops = new EventLoop[count];
        for (int i = 0; i < count; i++)
            _loops[i] = new EventLoop(this, i, options);
        foreach (EventLoop loop in _loops)
            loop.Start();
    }

    public IReadOnlyList<EventLoop> Loops => _loops;

    /// <summary>The next loop, round-robin (thread-safe): where a new connection or fiber goes.</summary>
    public EventLoop Next()
    {
        uint i = (uint)Interlocked.Increment(ref _next);
        return _loops[i % (uint)_loops.Length];
    }

    /// <summary>
    /// Accepts connections from <paramref name="listenSockets"/> (bound and listening), served by
    /// <paramref name="handler"/>: admitted by <see cref="IConnectionHandler.OnAccepted"/>, then
    /// <see cref="IConnectionHandler.OnConnection"/> on the connection's loop.
    /// <list type="bullet">
    /// <item>One socket per loop (SO_REUSEPORT siblings): loop i accepts from socket i and keeps its
    /// connections; the kernel spreads them, with no hand-over between threads. The fast path.</item>
    /// <item>One socket: every loop waits on it (EPOLLEXCLUSIVE) and accepted connections are handed
    /// to the loops round-robin.</item>
    /// </list>
    /// The sockets stay the caller's to dispose, after <see cref="StopAcceptingAsync"/>.
    /// </summary>
    public Task StartAcceptingAsync(IReadOnlyList<Socket> listenSockets, IConnectionHandler handler)
    {
        if (_loops[0].PrivateDescriptorTables)
            throw new InvalidOperationException("a group with private descriptor tables cannot accept: its loops do not see the listening sockets");
        if (_listenSockets is not null)
            throw new InvalidOperationException("already accepting");
        if (listenSockets.Count != 1 && listenSockets.Count != _loops.Length)
            throw new ArgumentException($"give one listening socket, or one per loop ({_loops.Length})", nameof(listenSockets));
        _listenSockets = listenSockets;
        foreach (Socket socket in listenSockets)
            SetNonBlocking(socket);
        bool shared = listenSockets.Count == 1;
        return OnEveryLoop(loop => loop.StartListening(listenSockets[shared ? 0 : loop.Id], handler, shared));
    }

    /// <summary>Stops accepting on every loop; open connections stay.</summary>
    public Task StopAcceptingAsync() => OnEveryLoop(loop => loop.StopListening());

    /// <summary>
    /// Stops accepting, then on every loop aborts every pending operation (fibers resume with
    /// <see cref="SocketError.OperationAborted"/> and close their connections), closes what is left
    /// and ends the loop threads. Returns when all loops have exited.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            await Task.WhenAll(_loops.Select(l => l.Exited)).ConfigureAwait(false);
            return;
        }
        // Two phases, so no loop hands a fresh connection to a loop that has already shut down.
        if (_listenSockets is not null)
            await StopAcceptingAsync().ConfigureAwait(false);
        foreach (EventLoop loop in _loops)
            loop.RequestStop();
        await Task.WhenAll(_loops.Select(l => l.Exited)).ConfigureAwait(false);
        foreach (EventLoop loop in _loops)
            loop.ReleasePoller();
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private Task OnEveryLoop(Action<EventLoop> action) =>
        Task.WhenAll(_loops.Select(loop => loop.Spawn(() =>
        {
            action(loop);
            return Task.CompletedTask;
        })));

    private static void SetNonBlocking(Socket socket)
    {
        // Several loops accept from it: a blocking accept would stall a loop that lost the race.
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        int flags = Libc.Fcntl(fd, Libc.F_GETFL, 0);
        if (flags < 0 || Libc.Fcntl(fd, Libc.F_SETFL, flags | Libc.O_NONBLOCK) < 0)
            throw Errno.ToException(Libc.Errno);
    }
}
