using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>
/// Work posted from other threads (start and stop accepting, stop): a queue, and an eventfd the ring
/// always has a read armed on, written only when the loop has not been woken since it last drained.
/// </summary>
internal sealed unsafe partial class UringLoop
{
    private readonly ConcurrentQueue<Action> _posted = new();
    private int _wakeFd = -1;
    private ulong* _wakeValue;
    private int _wakePending;

    public void Post(Action action)
    {
        if (_exited.Task.IsCompleted)
            throw new InvalidOperationException("the event loop has stopped");
        _posted.Enqueue(action);
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            Libc.Write(_wakeFd, &one, sizeof(ulong));
        }
    }

    /// <summary>Runs <paramref name="action"/> on the loop thread; completes when it has run.</summary>
    public Task InvokeAsync(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try { action(); done.TrySetResult(); }
            catch (Exception e) { done.TrySetException(e); }
        });
        return done.Task;
    }

    private void SetupWake()
    {
        _wakeFd = Libc.EventFd(0, Libc.EFD_CLOEXEC);
        if (_wakeFd < 0)
            throw new InvalidOperationException($"eventfd failed: errno {Libc.Errno}");
        _wakeValue = (ulong*)NativeMemory.Alloc(sizeof(ulong)); // freed with the process: a read may still be in flight
        ArmWake();
    }

    private void ArmWake()
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpRead;
        sqe->Fd = _wakeFd;
        sqe->Addr = (ulong)_wakeValue;
        sqe->Len = sizeof(ulong);
        sqe->UserData = KindWake << KindShift;
    }

    /// <summary>The eventfd's read completed: re-arm it, then run what was posted.</summary>
    private void OnWoken()
    {
        Volatile.Write(ref _wakePending, 0); // before draining, so a post that races this is not missed
        if (!_stopping)
            ArmWake();
        RunPosted();
    }

    private void RunPosted()
    {
        while (_posted.TryDequeue(out Action? action))
        {
            try { action(); }
            catch (Exception e) { ReportError(e); }
        }
    }
}
