using System.Runtime.InteropServices;

namespace Shootout.Engines.Uring.Interop;

/// <summary>The io_uring ABI constants this engine uses (include/uapi/linux/io_uring.h).</summary>
internal static class IoUring
{
    // io_uring_setup flags
    public const uint SetupCqSize = 1u << 3, SetupClamp = 1u << 4, SetupSubmitAll = 1u << 7;
    public const uint SetupCoopTaskrun = 1u << 8, SetupSingleIssuer = 1u << 12, SetupDeferTaskrun = 1u << 13;

    // features reported by setup
    public const uint FeatSingleMmap = 1u << 0, FeatNoDrop = 1u << 1, FeatExtArg = 1u << 8;

    // mmap offsets
    public const long OffSqRing = 0, OffCqRing = 0x8000000, OffSqes = 0x10000000;

    // io_uring_enter flags
    public const uint EnterGetEvents = 1u << 0, EnterExtArg = 1u << 3, EnterRegisteredRing = 1u << 4;

    // opcodes
    public const byte OpNop = 0, OpPollAdd = 6, OpAccept = 13, OpAsyncCancel = 14, OpClose = 19, OpRead = 22, OpSend = 26, OpRecv = 27;

    // sqe flags
    public const byte SqeBufferSelect = 1 << 5, SqeCqeSkipSuccess = 1 << 6;

    // op-specific flags (in sqe.ioprio for accept and recv)
    public const ushort AcceptMultishot = 1 << 0, RecvMultishot = 1 << 1;
    /// <summary>IORING_RECVSEND_POLL_FIRST (recv/send ioprio): arm the poll at once, without trying the socket first.</summary>
    public const ushort RecvSendPollFirst = 1 << 0;
    public const uint CancelAll = 1u << 0, CancelFd = 1u << 1;

    // poll events (sqe.poll32_events, in OpFlags)
    public const uint PollIn = 0x001, PollErr = 0x008, PollHup = 0x010, PollRdHup = 0x2000;

    // sq_flags (the SQ ring's flags word, written by the kernel)
    /// <summary>IORING_SQ_CQ_OVERFLOW: completions did not fit in the CQ and wait in the kernel's overflow list.</summary>
    public const uint SqCqOverflow = 1u << 1;

    // send flags (sqe.msg_flags) the engine adds to MSG_NOSIGNAL (include/linux/socket.h)
    /// <summary>MSG_DONTWAIT: a send that would block fails (EAGAIN) instead of waiting in the ring for room.</summary>
    public const int MsgDontWait = 0x40;
    /// <summary>MSG_WAITALL: on a stream socket a send that took part of the bytes is not a success.</summary>
    public const int MsgWaitAll = 0x100;

    // cqe flags
    public const uint CqeBuffer = 1u << 0, CqeMore = 1u << 1;
    public const int CqeBufferShift = 16;

    // io_uring_register opcodes
    public const uint RegisterRingFds = 20, RegisterPbufRing = 22;
}

[StructLayout(LayoutKind.Sequential)]
internal struct SqRingOffsets
{
    public uint Head, Tail, RingMask, RingEntries, Flags, Dropped, Array, Resv1;
    public ulong UserAddr;
}

[StructLayout(LayoutKind.Sequential)]
internal struct CqRingOffsets
{
    public uint Head, Tail, RingMask, RingEntries, Overflow, Cqes, Flags, Resv1;
    public ulong UserAddr;
}

/// <summary>struct io_uring_params (120 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct IoUringParams
{
    public uint SqEntries, CqEntries, Flags, SqThreadCpu, SqThreadIdle, Features, WqFd;
    public fixed uint Resv[3];
    public SqRingOffsets SqOff;
    public CqRingOffsets CqOff;
}

/// <summary>struct io_uring_sqe (64 bytes), the fields this engine fills.</summary>
[StructLayout(LayoutKind.Explicit, Size = 64)]
internal struct Sqe
{
    [FieldOffset(0)] public byte Opcode;
    [FieldOffset(1)] public byte Flags;
    [FieldOffset(2)] public ushort IoPrio;
    [FieldOffset(4)] public int Fd;
    [FieldOffset(8)] public ulong Off;
    [FieldOffset(16)] public ulong Addr;
    [FieldOffset(24)] public uint Len;
    [FieldOffset(28)] public uint OpFlags; // msg_flags, accept_flags, cancel_flags ...
    [FieldOffset(32)] public ulong UserData;
    [FieldOffset(40)] public ushort BufGroup;
    [FieldOffset(42)] public ushort Personality;
    [FieldOffset(44)] public int FileIndex;
    [FieldOffset(48)] public ulong Addr3;
    [FieldOffset(56)] public ulong Pad2;
}

/// <summary>struct io_uring_cqe (16 bytes, without CQE32).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct Cqe
{
    public ulong UserData;
    public int Res;
    public uint Flags;
}

/// <summary>struct io_uring_buf_reg: registers a provided-buffer ring.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BufReg
{
    public ulong RingAddr;
    public uint RingEntries;
    public ushort Bgid;
    public ushort Flags;
    public fixed ulong Resv[3];
}

/// <summary>struct io_uring_buf: one entry of a provided-buffer ring (16 bytes; the ring's tail overlays entry 0's last 2 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RingBuf
{
    public ulong Addr;
    public uint Len;
    public ushort Bid;
    public ushort Resv;
}

/// <summary>struct io_uring_rsrc_update: what IORING_REGISTER_RING_FDS takes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct RsrcUpdate
{
    public uint Offset;
    public uint Resv;
    public ulong Data;
}

/// <summary>struct io_uring_getevents_arg: a wait with a timeout (IORING_ENTER_EXT_ARG).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct GetEventsArg
{
    public ulong Sigmask;
    public uint SigmaskSize;
    public uint MinWaitUsec;
    public ulong Ts;
}

[StructLayout(LayoutKind.Sequential)]
internal struct KernelTimespec
{
    public long Sec;
    public long Nsec;
}
