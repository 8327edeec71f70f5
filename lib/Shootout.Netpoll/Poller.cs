using System.ComponentModel;
using System.Runtime.InteropServices;
using Shootout.Fibers.Interop;
using Shootout.Netpoll.Interop;

namespace Shootout.Netpoll;

/// <summary>
/// The platform layer, in the spirit of Go's netpoll_epoll.go: one epoll instance plus an eventfd
/// that other threads write to break a blocked <see cref="Wait"/>. Everything above it (parking,
/// readiness, fibers) is portable. Owned by one event-loop thread except <see cref="Wake"/>.
/// </summary>
internal sealed unsafe class Poller : IDisposable
{
    /// <summary>epoll data of the eventfd; connection tokens never take this value (generation 0 is unused).</summary>
    public const ulong WakeToken = ulong.MaxValue;

    private readonly int _epfd;
    private readonly int _eventFd;
    private readonly byte* _events;
    private int _wakeRequested;
    private bool _disposed;

    public int Capacity { get; }

    public Poller(int capacity = 512)
    {
        Capacity = capacity;
        _epfd = Epoll.EpollCreate1(Epoll.EPOLL_CLOEXEC);
        if (_epfd < 0)
            throw new Win32Exception(Libc.Errno, "epoll_create1 failed");
        _eventFd = Libc.EventFd(0, Libc.EFD_NONBLOCK | Libc.EFD_CLOEXEC);
        if (_eventFd < 0)
        {
            int errno = Libc.Errno;
            Libc.Close(_epfd);
            throw new Win32Exception(errno, "eventfd failed");
        }
        _events = (byte*)NativeMemory.Alloc((nuint)(capacity * EpollEvent.Size));
        // Level-triggered: a wake-up is consumed explicitly by DrainWake.
        int rc = Add(_eventFd, Epoll.EPOLLIN, WakeToken);
        if (rc != 0)
            throw new Win32Exception(rc, "epoll_ctl(eventfd) failed");
    }

    /// <summary>Registers a descriptor. Returns 0 or an errno.</summary>
    public int Add(int fd, uint events, ulong token)
    {
        byte* ev = stackalloc byte[16];
        EpollEvent.Write(ev, events, token);
        return Epoll.EpollCtl(_epfd, Epoll.EPOLL_CTL_ADD, fd, ev) == 0 ? 0 : Libc.Errno;
    }

    /// <summary>Unregisters a descriptor (closing it does the same when it is the last reference).</summary>
    public int Delete(int fd)
    {
        byte* ev = stackalloc byte[16];
        EpollEvent.Write(ev, 0, 0);
        return Epoll.EpollCtl(_epfd, Epoll.EPOLL_CTL_DEL, fd, ev) == 0 ? 0 : Libc.Errno;
    }

    /// <summary>Whether the kernel and libc offer epoll_pwait2; cleared for the process on the first refusal.</summary>
    private static bool s_nanosecondWait = true;

    /// <summary>Whether <see cref="Wait"/> sleeps to the microsecond (epoll_pwait2) or rounds up to milliseconds.</summary>
    public static bool NanosecondWait => s_nanosecondWait;

    /// <summary>Blocks until descriptors are ready, a wake-up arrives or the timeout passes (-1: forever).</summary>
    /// <remarks>
    /// The timeout is in nanoseconds: epoll_pwait2 takes a timespec, where epoll_wait takes whole
    /// milliseconds and would make every timer up to a millisecond late. On a kernel older than 5.11 or a
    /// libc without the call, the timeout is rounded up to milliseconds, so a timer is never early.
    /// </remarks>
    /// <returns>The number of events; read them with <see cref="EventAt"/>.</returns>
    public int Wait(long timeoutNanoseconds)
    {
        int n = s_nanosecondWait ? WaitNanoseconds(timeoutNanoseconds) : WaitMilliseconds(timeoutNanoseconds);
        if (n >= 0)
            return n;
        int errno = Libc.Errno;
        if (errno == Errno.EINTR)
            return 0;
        throw new Win32Exception(errno, "epoll_wait failed");
    }

    private int WaitNanoseconds(long timeoutNanoseconds)
    {
        try
        {
            Timespec timeout = Timespec.FromNanoseconds(Math.Max(0, timeoutNanoseconds));
            int n = Epoll.EpollPwait2(_epfd, _events, Capacity, timeoutNanoseconds < 0 ? null : &timeout, null);
            if (n >= 0 || Libc.Errno != Errno.ENOSYS)
                return n;
        }
        catch (EntryPointNotFoundException)
        {
        }
        s_nanosecondWait = false;
        return WaitMilliseconds(timeoutNanoseconds);
    }

    private int WaitMilliseconds(long timeoutNanoseconds)
    {
        long ms = timeoutNanoseconds < 0 ? -1 : (timeoutNanoseconds + 999_999) / 1_000_000;
        return Epoll.EpollWait(_epfd, _events, Capacity, (int)Math.Min(ms, int.MaxValue));
    }

    public byte* EventAt(int index) => _events + index * EpollEvent.Size;

    /// <summary>Breaks the owner's <see cref="Wait"/>; callable from any thread, coalesced.</summary>
    /// <remarks>
    /// As Go's netpollBreak: EINTR is retried, and EAGAIN means the eventfd counter is already non-zero,
    /// so a wake-up is pending anyway. Any other failure throws rather than return quietly: the flag
    /// would stay set, and every later wake-up would be skipped as "already requested" and lost. The
    /// flag is cleared first, so the next caller tries the write again.
    /// </remarks>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakeRequested, 1) != 0)
            return;
        ulong one = 1;
        while (true)
        {
            nint written = Libc.Write(_eventFd, &one, sizeof(ulong));
            if (written == sizeof(ulong))
                return;
            int errno = written < 0 ? Libc.Errno : Errno.EIO;
            if (errno == Errno.EINTR)
                continue;
            if (errno == Errno.EAGAIN)
                return;
            Volatile.Write(ref _wakeRequested, 0);
            throw new Win32Exception(errno, "eventfd write (wake-up) failed");
        }
    }

    /// <summary>Consumes a wake-up. Call before looking at whatever the wakers queued.</summary>
    public void DrainWake()
    {
        ulong value;
        Libc.Read(_eventFd, &value, sizeof(ulong));
        Volatile.Write(ref _wakeRequested, 0);
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Libc.Close(_eventFd);
        Libc.Close(_epfd);
        NativeMemory.Free(_events);
    }
}
