using System.Diagnostics;
using Shootout.Server.Core;

namespace Shootout.Engines.Threads;

/// <summary>
/// Serves one connection on its own thread with blocking calls, until the client closes it or the
/// server stops. The connection is just its file descriptor: no Socket object, no pooled buffer.
/// </summary>
internal sealed class ConnectionThread(int fd, EngineContext context, OpenConnections open)
{
    // The receive buffer lives on the connection thread's own stack: no pool, no garbage, nothing
    // shared between threads. At 2 KiB it falls within stack pages the thread touched while
    // starting anyway (measured: 4 KiB costs a page more per connection).
    private const int BufferSize = 2048;

    /// <summary>Runs on the accepting thread, before this connection's thread exists, so the connection
    /// thread itself never allocates: a thread that allocates keeps a GC allocation context.</summary>
    public void Register() => open.Add(fd);

    public void Run()
    {
        try
        {
            Echo();
        }
        finally
        {
            Abandon();
        }
        // Stopping: the connection is closed and counted, so this thread has nothing left to do.
        // It parks rather than returning, because tens of thousands of threads leaving the runtime
        // at once serialise on its thread bookkeeping (seconds at 100,000 connections), while the
        // process exit that follows ends parked threads in the kernel, all at once.
        if (open.Stopping)
            Thread.Sleep(Timeout.Infinite);
    }

    /// <summary>Closes the connection and gives back its admission; also used when no thread could be started.</summary>
    public void Abandon()
    {
        open.Remove(fd);
        Libc.Close(fd);
        context.Gate.Exit();
    }

    private unsafe void Echo()
    {
        var watch = new TrafficWatch(context.Options, Environment.TickCount64);
        byte* buffer = stackalloc byte[BufferSize];
        int turn = 0;
        bool idleClass = false;
        while (true)
        {
            // Wait for data without holding anything: an idle connection costs its thread and socket only.
            long waitStart = Stopwatch.GetTimestamp();
            var readiness = WaitReadable(watch.MillisUntilNextCheck(Environment.TickCount64));
            if (readiness == Readiness.Failed)
                return;
            if (Stopwatch.GetElapsedTime(waitStart) >= EchoTurn.PauseEnds)
            {
                turn = 0; // its client paused: a light connection again, in the normal class
                if (idleClass)
                    idleClass = !SchedulingClass.TryLeaveIdle(out _);
            }
            if (watch.Enabled && watch.Check(Environment.TickCount64) is { } reason)
            {
                context.Stats.OnRejected(reason);
                return;
            }
            if (readiness == Readiness.TimedOut)
                continue;

            nint received = Libc.Recv(fd, buffer, BufferSize, 0);
            if (received < 0 && Libc.LastError is Libc.EINTR or Libc.EAGAIN)
                continue;
            if (received <= 0)
                return; // FIN (everything received so far has been echoed), or a reset: this connection only.

            // A blocking send that waits while the client does not read is the backpressure: this
            // thread stops reading until the client drains, so at most one buffer is held here.
            if (!SendAll(buffer, received))
                return;
            context.Stats.OnEchoed((int)received);
            watch.OnReceived((int)received, Environment.TickCount64);
            turn += (int)received;
            if (turn >= EchoTurn.Bytes && !idleClass)
                idleClass = EnterIdleClass();
        }
    }

    /// <summary>A busy connection's thread gives way to every light one's (README: staying fair). Refused once
    /// (a seccomp profile, say), it is logged and not tried again: busy connections then stay in the normal class.</summary>
    private bool EnterIdleClass()
    {
        if (Volatile.Read(ref s_idleClassRefused) == 1)
            return false;
        if (SchedulingClass.TryEnterIdle(out int errno))
            return true;
        if (Interlocked.Exchange(ref s_idleClassRefused, 1) == 0)
            context.Log.Warn($"threads: the idle scheduling class was refused (errno {errno}); busy connections stay in the normal class");
        return false;
    }

    private static int s_idleClassRefused;

    private enum Readiness { Readable, TimedOut, Failed }

    private unsafe Readiness WaitReadable(int timeoutMs)
    {
        var pollFd = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        while (true)
        {
            int ready = Libc.Poll(&pollFd, 1, timeoutMs);
            if (ready > 0)
                return Readiness.Readable; // data, FIN, reset or shutdown: recv tells which
            if (ready == 0)
                return Readiness.TimedOut;
            if (Libc.LastError != Libc.EINTR)
                return Readiness.Failed;
        }
    }

    private unsafe bool SendAll(byte* data, nint length)
    {
        while (length > 0)
        {
            nint sent = Libc.Send(fd, data, length, Libc.MSG_NOSIGNAL);
            if (sent < 0)
            {
                if (Libc.LastError == Libc.EINTR)
                    continue;
                return false; // EPIPE/ECONNRESET: the client went away
            }
            data += sent;
            length -= sent;
        }
        return true;
    }
}
