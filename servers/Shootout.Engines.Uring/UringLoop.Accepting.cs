using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>Accepting: one multishot accept on this loop's own SO_REUSEPORT listener, paused on resource errors.</summary>
internal sealed unsafe partial class UringLoop
{
    private readonly int _listenFd;
    private bool _accepting;      // an accept request is armed
    private bool _acceptWanted;   // accepting has not been stopped
    private long _acceptPausedUntil = -1;

    public Task StartAcceptingAsync() => InvokeAsync(() =>
    {
        _acceptWanted = true;
        ArmAccept();
    });

    public Task StopAcceptingAsync() => InvokeAsync(() =>
    {
        _acceptWanted = false;
        _acceptPausedUntil = -1;
        if (_accepting)
            PrepareCancel(KindAccept << KindShift, cancelByFd: false);
    });

    private void ArmAccept()
    {
        if (_accepting || !_acceptWanted || _stopping)
            return;
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpAccept;
        sqe->Fd = _listenFd;
        sqe->OpFlags = Libc.SOCK_CLOEXEC;
        if (_settings.Features.MultishotAccept)
            sqe->IoPrio = IoUring.AcceptMultishot;
        sqe->UserData = KindAccept << KindShift;
        _accepting = true;
    }

    private void OnAcceptCompleted(int res, uint flags)
    {
        if ((flags & IoUring.CqeMore) == 0)
            _accepting = false; // this request is over: arm another (below) unless paused or stopping
        if (res >= 0)
        {
            Adopt(res);
        }
        else if (!IsPerConnectionAcceptError(res))
        {
            TimeSpan pause = _handler.Rules.OnAcceptError(-res);
            if (pause > TimeSpan.Zero)
            {
                if (_accepting)
                    PrepareCancel(KindAccept << KindShift, cancelByFd: false);
                _acceptPausedUntil = NowMs + (long)pause.TotalMilliseconds;
                return;
            }
        }
        if (!_accepting && _acceptPausedUntil < 0)
            ArmAccept();
    }

    /// <summary>Errors that end one accept, not accepting (the peer reset first, a signal, a firewall): go on.</summary>
    private static bool IsPerConnectionAcceptError(int res) =>
        res is -Errno.ECANCELED or -Errno.EINTR or -Errno.ECONNABORTED or -Errno.EPROTO or -Errno.EPERM or -Errno.EAGAIN;
}
