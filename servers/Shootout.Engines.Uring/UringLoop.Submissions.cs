using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>The SQEs the loop's connections queue, and the user_data that brings each CQE back to its connection.</summary>
internal sealed unsafe partial class UringLoop
{
    // user_data: kind << 56 | slot << 32 | generation. A generation is never reused within a loop, so a
    // completion for a connection that has gone never reaches the next one in its slot.
    private const int KindShift = 56;
    private const ulong KindReceive = 1, KindSend = 2, KindAccept = 3, KindWake = 4, KindIgnore = 5, KindPoll = 6, KindMultishotReceive = 7;
    private const ulong KindUnconfirmedSend = 8;

    /// <param name="buffer">null: let the kernel pick a provided buffer when data arrives.</param>
    /// <param name="dataLikely">
    /// false: the peer is unlikely to have sent anything yet (the receive follows an echo), so with
    /// <see cref="RingFeatures.ReceivePollFirst"/> the kernel arms its poll without trying the socket first.
    /// </param>
    internal void PrepareReceive(UringConnection connection, byte* buffer, int length, bool dataLikely)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpRecv;
        sqe->Fd = connection.Fd;
        sqe->UserData = Token(KindReceive, connection);
        if (!dataLikely && _settings.Features.ReceivePollFirst)
            sqe->IoPrio = IoUring.RecvSendPollFirst;
        if (buffer is null)
        {
            sqe->Flags = IoUring.SqeBufferSelect;
            sqe->BufGroup = BufferRing.GroupId;
        }
        else
        {
            sqe->Addr = (ulong)buffer;
            sqe->Len = (uint)length;
        }
    }

    /// <summary>One receive that stays armed: a CQE (with F_MORE while it lasts) and a ring buffer per arrival.</summary>
    internal void PrepareMultishotReceive(UringConnection connection)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpRecv;
        sqe->Fd = connection.Fd;
        sqe->IoPrio = IoUring.RecvMultishot;
        sqe->Flags = IoUring.SqeBufferSelect;
        sqe->BufGroup = BufferRing.GroupId;
        sqe->UserData = Token(KindMultishotReceive, connection);
    }

    /// <summary>Ends the connection's multishot receive; its last CQE (ECANCELED, or data it got first) says when.</summary>
    internal void PrepareCancelMultishotReceive(UringConnection connection) =>
        PrepareCancel(Token(KindMultishotReceive, connection), cancelByFd: false);

    /// <summary>A send that completes once the kernel took every byte, waiting in the ring for room if it must, and posts its CQE then.</summary>
    internal void PrepareSend(UringConnection connection, byte* data, int length)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpSend;
        sqe->Fd = connection.Fd;
        sqe->Addr = (ulong)data;
        sqe->Len = (uint)length;
        sqe->OpFlags = Libc.MSG_NOSIGNAL;
        sqe->UserData = Token(KindSend, connection);
    }

    /// <summary>
    /// A send tried once, during the enter that submits it, that posts a CQE only when it did not take every byte:
    /// MSG_DONTWAIT makes one that would block fail (EAGAIN) instead of waiting for room, MSG_WAITALL makes one that
    /// took part of the bytes a failure (its CQE says how many), and a failure always posts its CQE. So once that
    /// enter returned, the CQ holds this send's CQE or the send took every byte and no longer reads the buffer;
    /// <see cref="ConfirmSends"/> tells the connection which.
    /// </summary>
    internal void PrepareUnconfirmedSend(UringConnection connection, byte* data, int length)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpSend;
        sqe->Fd = connection.Fd;
        sqe->Flags = IoUring.SqeCqeSkipSuccess;
        sqe->Addr = (ulong)data;
        sqe->Len = (uint)length;
        sqe->OpFlags = (uint)(Libc.MSG_NOSIGNAL | IoUring.MsgDontWait | IoUring.MsgWaitAll);
        sqe->UserData = Token(KindUnconfirmedSend, connection);
        AwaitConfirmation(connection, _ring.LastSqePosition);
    }

    /// <summary>A one-shot wait for the connection's socket to become readable (or hung up), holding no buffer.</summary>
    internal void PreparePoll(UringConnection connection)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpPollAdd;
        sqe->Fd = connection.Fd;
        sqe->OpFlags = IoUring.PollIn | IoUring.PollErr | IoUring.PollHup | IoUring.PollRdHup;
        sqe->UserData = Token(KindPoll, connection);
    }

    /// <summary>Cancels every request on the connection's socket; its completion (ECANCELED, or the data it got first) then releases it.</summary>
    internal void PrepareCancel(UringConnection connection)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpAsyncCancel;
        sqe->Fd = connection.Fd;
        sqe->OpFlags = IoUring.CancelFd | IoUring.CancelAll;
        sqe->UserData = KindIgnore << KindShift;
    }

    private void PrepareCancel(ulong userData, bool cancelByFd)
    {
        Sqe* sqe = _ring!.NextSqe();
        sqe->Opcode = IoUring.OpAsyncCancel;
        sqe->Addr = userData;
        sqe->Fd = cancelByFd ? _listenFd : -1;
        sqe->UserData = KindIgnore << KindShift;
    }

    private static ulong Token(ulong kind, UringConnection connection) =>
        kind << KindShift | (ulong)(uint)connection.Slot << 32 | connection.Generation;
}
