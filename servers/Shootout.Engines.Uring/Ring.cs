using System.Runtime.CompilerServices;
using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>
/// One io_uring instance: the submission queue (SQ) and completion queue (CQ) mapped into this
/// process, and the one syscall that drives both. Created, used and disposed on one thread (its
/// event loop): the kernel is told so (SINGLE_ISSUER), and so the only memory shared with another
/// party is shared with the kernel, through the head and tail counters.
/// </summary>
/// <remarks>
/// Ownership of the counters: the SQ tail and the CQ head are ours, the SQ head and the CQ tail the
/// kernel's. We read theirs with acquire semantics (Volatile.Read) before touching the entries they
/// publish, and write ours with release semantics (Volatile.Write) after filling the entries we publish.
/// </remarks>
internal sealed unsafe class Ring : IDisposable
{
    private readonly int _fd;
    private int _enterFd;
    private uint _enterFlags;

    private readonly byte* _sqRing;
    private readonly nuint _sqRingSize;
    private readonly byte* _cqRing;      // == _sqRing with IORING_FEAT_SINGLE_MMAP
    private readonly nuint _cqRingSize;
    private readonly Sqe* _sqes;
    private readonly nuint _sqesSize;

    private readonly uint* _sqHead, _sqTail, _sqFlags;
    private readonly uint _sqMask, _sqEntries;
    private readonly uint* _cqHead, _cqTail;
    private readonly uint _cqMask;
    private readonly Cqe* _cqes;

    private uint _sqLocalTail; // SQEs handed out; published to the kernel at the next enter
    private bool _disposed;

    private Ring(int fd, in IoUringParams p)
    {
        _fd = _enterFd = fd;
        Flags = p.Flags;
        Features = p.Features;
        _sqRingSize = p.SqOff.Array + p.SqEntries * sizeof(uint);
        _cqRingSize = p.CqOff.Cqes + p.CqEntries * (uint)sizeof(Cqe);
        bool single = (p.Features & IoUring.FeatSingleMmap) != 0;
        if (single)
            _sqRingSize = _cqRingSize = Math.Max(_sqRingSize, _cqRingSize);
        _sqRing = Map(_sqRingSize, IoUring.OffSqRing);
        _cqRing = single ? _sqRing : Map(_cqRingSize, IoUring.OffCqRing);
        _sqesSize = p.SqEntries * (nuint)sizeof(Sqe);
        _sqes = (Sqe*)Map(_sqesSize, IoUring.OffSqes);

        _sqHead = (uint*)(_sqRing + p.SqOff.Head);
        _sqTail = (uint*)(_sqRing + p.SqOff.Tail);
        _sqFlags = (uint*)(_sqRing + p.SqOff.Flags);
        _sqMask = *(uint*)(_sqRing + p.SqOff.RingMask);
        _sqEntries = *(uint*)(_sqRing + p.SqOff.RingEntries);
        // The indirection array maps SQ positions to SQE slots; identity, set once, so slot = position & mask.
        uint* array = (uint*)(_sqRing + p.SqOff.Array);
        for (uint i = 0; i < _sqEntries; i++)
            array[i] = i;
        _sqLocalTail = *_sqTail;

        _cqHead = (uint*)(_cqRing + p.CqOff.Head);
        _cqTail = (uint*)(_cqRing + p.CqOff.Tail);
        _cqMask = *(uint*)(_cqRing + p.CqOff.RingMask);
        _cqes = (Cqe*)(_cqRing + p.CqOff.Cqes);
    }

    /// <summary>The setup flags the kernel accepted.</summary>
    public uint Flags { get; }

    public uint Features { get; }

    /// <summary>The ring descriptor is registered (IORING_REGISTER_RING_FDS): enter skips the fd table lookup.</summary>
    public bool RingFdRegistered => (_enterFlags & IoUring.EnterRegisteredRing) != 0;

    /// <summary>io_uring_enter calls made, for the syscall count per message.</summary>
    public long Enters { get; private set; }

    /// <summary>
    /// Creates a ring on the calling thread (with SINGLE_ISSUER, the only thread that may submit to it).
    /// Throws <see cref="RingSetupException"/> with the errno when the kernel refuses.
    /// </summary>
    public static Ring Create(uint entries, uint cqEntries, uint flags)
    {
        IoUringParams p = default;
        p.Flags = flags | IoUring.SetupCqSize | IoUring.SetupClamp;
        p.CqEntries = cqEntries;
        int fd = IoUringSyscalls.Setup(entries, &p);
        if (fd < 0)
            throw new RingSetupException(Libc.Errno, flags);
        try
        {
            return new Ring(fd, p);
        }
        catch
        {
            Libc.Close(fd);
            throw;
        }
    }

    private byte* Map(nuint size, long offset)
    {
        void* p = Libc.Mmap(null, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, _fd, offset);
        if (p == Libc.MapFailed)
            throw new RingSetupException(Libc.Errno, 0, "mmap of the io_uring rings");
        return (byte*)p;
    }

    /// <summary>
    /// Registers the ring's own descriptor with the calling thread (IORING_REGISTER_RING_FDS), so each
    /// io_uring_enter skips looking it up. False where the kernel does not support it (before 5.18).
    /// </summary>
    public bool RegisterRingFd()
    {
        var update = new RsrcUpdate { Offset = uint.MaxValue, Data = (ulong)_fd }; // offset -1: any free index
        if (IoUringSyscalls.Register(_fd, IoUring.RegisterRingFds, &update, 1) != 1)
            return false;
        _enterFd = (int)update.Offset;
        _enterFlags |= IoUring.EnterRegisteredRing;
        return true;
    }

    /// <summary>io_uring_register on this ring; returns the kernel's result or -errno.</summary>
    public int Register(uint opcode, void* arg, uint count)
    {
        int rc = IoUringSyscalls.Register(_fd, opcode, arg, count);
        return rc < 0 ? -Libc.Errno : rc;
    }

    /// <summary>SQEs handed out and not yet submitted.</summary>
    public uint Unsubmitted => _sqLocalTail - Volatile.Read(ref *_sqHead);

    /// <summary>The position in the SQ of the SQE <see cref="NextSqe"/> handed out last.</summary>
    public uint LastSqePosition => _sqLocalTail - 1;

    /// <summary>
    /// The kernel's SQ head: every SQE at a position before it has been issued. An SQE issued in an enter was first
    /// tried during that enter, so whatever completion its try posted is in the CQ (or its overflow) when the enter returns.
    /// </summary>
    public uint IssuedUpTo => Volatile.Read(ref *_sqHead);

    /// <summary>Completions wait in the kernel's overflow list (the CQ was full): the CQ does not hold every completion posted.</summary>
    public bool CompletionsOverflowed => (Volatile.Read(ref *_sqFlags) & IoUring.SqCqOverflow) != 0;

    /// <summary>
    /// A zeroed SQE to fill; it goes to the kernel at the next <see cref="Enter"/>. When the SQ is full,
    /// what is queued is submitted first, so this never fails for lack of room.
    /// </summary>
    public Sqe* NextSqe()
    {
        if (_sqLocalTail - Volatile.Read(ref *_sqHead) >= _sqEntries)
        {
            Enter(0, -1);
            if (_sqLocalTail - Volatile.Read(ref *_sqHead) >= _sqEntries)
                throw new InvalidOperationException("io_uring submission queue stays full");
        }
        Sqe* sqe = &_sqes[_sqLocalTail & _sqMask];
        Unsafe.InitBlockUnaligned(sqe, 0, (uint)sizeof(Sqe));
        _sqLocalTail++;
        return sqe;
    }

    /// <summary>
    /// Submits what is queued and, with <paramref name="minComplete"/> &gt; 0, waits until that many
    /// completions are ready or <paramref name="timeout"/> (null: no limit) passes. Always runs the
    /// completion work deferred to this thread (DEFER_TASKRUN), so completions show up in the CQ.
    /// </summary>
    /// <param name="timeoutMs">How long a wait may last; negative: no limit.</param>
    /// <returns>0, or -errno for a wait that ended early (ETIME, EINTR): not an error.</returns>
    public int Enter(uint minComplete, int timeoutMs)
    {
        Volatile.Write(ref *_sqTail, _sqLocalTail); // release: the SQEs are filled
        uint toSubmit = Unsubmitted;
        uint flags = _enterFlags | IoUring.EnterGetEvents;
        KernelTimespec timeout = default;
        GetEventsArg arg = default;
        void* argPtr = null;
        nuint argSize = 0;
        if (minComplete > 0 && timeoutMs >= 0)
        {
            timeout.Sec = timeoutMs / 1000;
            timeout.Nsec = timeoutMs % 1000 * 1_000_000L;
            arg.Ts = (ulong)&timeout;
            argPtr = &arg;
            argSize = (nuint)sizeof(GetEventsArg);
            flags |= IoUring.EnterExtArg;
        }
        while (true)
        {
            Enters++;
            int rc = IoUringSyscalls.Enter(_enterFd, toSubmit, minComplete, flags, argPtr, argSize);
            if (rc >= 0)
                return 0;
            int errno = Libc.Errno;
            // ETIME: the wait timed out; EINTR: a signal; EBUSY/EAGAIN: completions are backed up (the
            // kernel holds overflowed CQEs and wants them reaped first). All end this wait, none is fatal.
            if (errno is Errno.ETIME or Errno.EINTR or Errno.EBUSY or Errno.EAGAIN)
                return -errno;
            throw new InvalidOperationException($"io_uring_enter failed: errno {errno}");
        }
    }

    /// <summary>True when the CQ holds a completion.</summary>
    public bool HasCompletion => *_cqHead != Volatile.Read(ref *_cqTail);

    /// <summary>Completions the CQ holds now.</summary>
    public uint CompletionCount => Volatile.Read(ref *_cqTail) - *_cqHead;

    /// <summary>
    /// The user_data of the completion <paramref name="offset"/> places behind the CQ head, left in place
    /// (offset &lt; <see cref="CompletionCount"/>).
    /// </summary>
    public ulong PeekUserData(uint offset) => _cqes[(*_cqHead + offset) & _cqMask].UserData;

    /// <summary>Takes the next completion, if any: copied out and its slot given back at once, so handling it may enter the ring again.</summary>
    public bool TryTakeCompletion(out Cqe cqe)
    {
        uint head = *_cqHead;
        if (head == Volatile.Read(ref *_cqTail)) // acquire: the entry is written
        {
            cqe = default;
            return false;
        }
        cqe = _cqes[head & _cqMask];
        Volatile.Write(ref *_cqHead, head + 1);
        return true;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        Libc.Munmap(_sqes, _sqesSize);
        if (_cqRing != _sqRing)
            Libc.Munmap(_cqRing, _cqRingSize);
        Libc.Munmap(_sqRing, _sqRingSize);
        Libc.Close(_fd); // cancels what is still in flight and drops its references to sockets
    }
}

/// <summary>io_uring_setup (or mapping its rings) failed with <see cref="Errno"/>.</summary>
internal sealed class RingSetupException(int errno, uint flags, string what = "io_uring_setup")
    : Exception($"{what} failed: errno {errno}")
{
    public int Errno { get; } = errno;

    /// <summary>The setup flags asked for.</summary>
    public uint Flags { get; } = flags;
}
