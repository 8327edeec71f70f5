using System.Collections.Concurrent;
using System.Net.Sockets;
using Shootout.Fibers.Interop;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>Accepting: the listening socket in this loop's epoll set, and connections handed over by other loops.</summary>
public sealed unsafe partial class EventLoop
{
    /// <summary>epoll data of the listening socket.</summary>
    private const ulong ListenToken = ulong.MaxValue - 1;
    private const int AcceptBatch = 64;

    private readonly ConcurrentQueue<int> _handedOver = new();
    private Socket? _listenSocket;
    private int _listenFd = -1;
    private IConnectionHandler? _handler;
    private bool _listenRegistered;
    private bool _listenShared;
    private long _acceptPausedUntil;

    /// <summary>
    /// What serves the connections this loop accepts (null before it listens). A fiber reaches its handler
    /// through its connection's loop rather than keep a reference of its own: 8 bytes less per parked fiber.
    /// </summary>
    public IConnectionHandler? Handler => _handler;

    /// <param name="listenSocket">Bound and listening.</param>
    /// <param name="handler">Admits and serves what is accepted.</param>
    /// <param name="shared">Other loops accept from the same socket: wake one loop per readiness and
    /// spread the connections round-robin. Otherwise this loop owns the socket (one SO_REUSEPORT
    /// socket per loop: the kernel spreads connections) and keeps what it accepts.</param>
    internal void StartListening(Socket listenSocket, IConnectionHandler handler, bool shared)
    {
        _listenShared = shared;
        _listenSocket = listenSocket;
        _listenFd = (int)listenSocket.SafeHandle.DangerousGetHandle();
        _handler = handler;
        RegisterListener();
    }

    private void RegisterListener()
    {
        // Level-triggered, so a loop that stops after a batch is told again; exclusive when shared, so
        // one waiting loop is woken per new connection rather than all of them.
        int rc = _poller.Add(_listenFd, _listenShared ? Epoll.EPOLLIN | Epoll.EPOLLEXCLUSIVE : Epoll.EPOLLIN, ListenToken);
        if (rc != 0)
            throw Errno.ToException(rc);
        _listenRegistered = true;
    }

    internal void StopListening()
    {
        if (_listenRegistered)
            _poller.Delete(_listenFd);
        _listenRegistered = false;
        _listenFd = -1;
    }

    /// <summary>Accept is paused after an error: the listener is out of the epoll set until then.</summary>
    private bool AcceptPaused => _listenFd >= 0 && !_listenRegistered;

    private void ResumeAcceptingIfDue(int now)
    {
        if (AcceptPaused && now >= _acceptPausedUntil)
            RegisterListener();
    }

    private void Accept()
    {
        for (int i = 0; i < AcceptBatch && _listenRegistered; i++)
        {
            int fd = Libc.Accept4(_listenFd, null, null, Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC);
            if (fd < 0)
            {
                int errno = Libc.Errno;
                if (errno == Errno.EAGAIN)
                    return;
                if (errno is Errno.EINTR or Errno.ECONNABORTED or Errno.EPROTO or 1 /* EPERM: firewall */)
                    continue;
                PauseAccepting(_handler!.OnAcceptError(errno));
                return;
            }
            if (!_handler!.OnAccepted())
            {
                Libc.Close(fd);
                continue;
            }
            NetConnection.SetNoDelay(fd);
            EventLoop owner = _listenShared ? _group.Next() : this;
            if (owner == this)
                Adopt(fd);
            else
                owner.HandOver(fd);
        }
    }

    private void PauseAccepting(TimeSpan pause)
    {
        if (pause <= TimeSpan.Zero)
            return;
        // Level-triggered readiness would report the backlog again at once: leave the epoll set until
        // the pause is over (EPOLLEXCLUSIVE cannot be modified, only removed).
        _poller.Delete(_listenFd);
        _listenRegistered = false;
        _acceptPausedUntil = NowMs + (long)pause.TotalMilliseconds;
    }

    private void HandOver(int fd)
    {
        _handedOver.Enqueue(fd);
        _poller.Wake();
    }

    private void AdoptHandedOver()
    {
        while (_handedOver.TryDequeue(out int fd))
            Adopt(fd);
    }

    /// <summary>Stopping: connections still on their way here are closed unserved.</summary>
    private void CloseHandedOver()
    {
        while (_handedOver.TryDequeue(out int fd))
            Libc.Close(fd);
    }

    private void Adopt(int fd)
    {
        var connection = new NetConnection(this, fd, writable: true);
        if (Register(connection) != 0)
            connection.MarkFailed();
        IConnectionHandler handler = _handler!;
        RunFiber((handler, connection), static a => a.handler.OnConnection(a.connection));
    }
}
