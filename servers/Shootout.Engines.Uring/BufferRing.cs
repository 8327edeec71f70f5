using System.Runtime.InteropServices;
using Shootout.Engines.Uring.Interop;

namespace Shootout.Engines.Uring;

/// <summary>
/// A provided-buffer ring (IORING_REGISTER_PBUF_RING): buffers the loop lends the kernel, which picks
/// one only when data arrives for a receive. A connection waiting for data therefore holds no buffer;
/// it holds one from the receive's completion until the echo of those bytes was sent, then gives it back.
/// </summary>
/// <remarks>
/// <para>The kernel takes buffers in the order they were published (a FIFO), so publishing all of them
/// would cycle every message through every buffer and make all of their pages resident. Instead only
/// <see cref="Target"/> buffers are published ahead, topped up once per loop turn from a LIFO stack of
/// returned ones: the same few hot buffers serve the traffic, and the pages touched follow the peak
/// number of receives in one turn, not the ring's size. A turn that ran dry (a receive failed with
/// ENOBUFS) doubles the target.</para>
/// <para>Its memory is never freed: once registered it belongs to the ring for the life of the process (a
/// ring's teardown in the kernel may still be cancelling receives into it after its descriptor closed).
/// One ring per event loop, created once per server process.</para>
/// </remarks>
internal sealed unsafe class BufferRing
{
    public const ushort GroupId = 0;

    private readonly RingBuf* _ring;
    private readonly byte* _memory;
    private readonly ushort _mask;
    private readonly ushort[] _free;   // returned buffers, most recent on top
    private int _freeCount;
    private int _available;            // published and not yet taken by the kernel
    private ushort _tail;

    /// <param name="count">Buffers, a power of two ≤ 32768.</param>
    /// <param name="size">Bytes per buffer.</param>
    private BufferRing(int count, int size)
    {
        Count = count;
        BufferSize = size;
        _mask = (ushort)(count - 1);
        _ring = (RingBuf*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(RingBuf)), 4096);
        NativeMemory.Clear(_ring, (nuint)(count * sizeof(RingBuf)));
        // Only pages the kernel actually fills become resident: the region is as large as the ring allows, not as large as it is used.
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)count * (nuint)size, 4096);
        _free = new ushort[count];
        for (int i = 0; i < count; i++)
            _free[i] = (ushort)(count - 1 - i); // buffer 0 on top
        _freeCount = count;
        Target = Math.Min(count, 32);
    }

    /// <summary>How many buffers are kept published ahead of the receives.</summary>
    public int Target { get; private set; }

    public int Count { get; }

    public int BufferSize { get; }

    /// <summary>Buffers lent to connections (between a receive's completion and the echo's).</summary>
    public int Lent { get; private set; }

    /// <summary>
    /// Registers a ring of <paramref name="count"/> buffers of <paramref name="size"/> bytes with <paramref name="ring"/>;
    /// null where the kernel lacks it (before 5.19).
    /// </summary>
    public static BufferRing? TryRegister(Ring ring, int count, int size, out int errno)
    {
        var buffers = new BufferRing(count, size);
        var reg = new BufReg { RingAddr = (ulong)buffers._ring, RingEntries = (uint)count, Bgid = GroupId };
        int rc = ring.Register(IoUring.RegisterPbufRing, &reg, 1);
        if (rc < 0)
        {
            errno = -rc;
            NativeMemory.AlignedFree(buffers._ring);
            NativeMemory.AlignedFree(buffers._memory);
            return null;
        }
        errno = 0;
        buffers.Refill();
        return buffers;
    }

    /// <summary>The memory of buffer <paramref name="id"/>.</summary>
    public byte* Address(ushort id) => _memory + (nint)id * BufferSize;

    /// <summary>A receive completed into a buffer (its CQE said which): the connection holds it now.</summary>
    public void OnLent()
    {
        Lent++;
        _available--;
    }

    /// <summary>A receive found no buffer published (ENOBUFS): publish more ahead from now on.</summary>
    public void OnExhausted() => Target = Math.Min(Count, Target * 2);

    /// <summary>Takes buffer <paramref name="id"/> back; it is published again by the next <see cref="Refill"/>.</summary>
    public void Return(ushort id)
    {
        Lent--;
        _free[_freeCount++] = id;
    }

    /// <summary>Publishes returned buffers, most recently used first, until <see cref="Target"/> are available to the kernel.</summary>
    public void Refill()
    {
        if (_available >= Target || _freeCount == 0)
            return;
        while (_available < Target && _freeCount > 0)
        {
            Add(_free[--_freeCount]);
            _available++;
        }
        Publish();
    }

    private void Add(ushort id)
    {
        RingBuf* entry = &_ring[_tail & _mask];
        entry->Addr = (ulong)Address(id);
        entry->Len = (uint)BufferSize;
        entry->Bid = id;
        _tail++;
    }

    // The tail overlays the last 2 bytes of entry 0 (struct io_uring_buf_ring); release: the entries are written.
    private void Publish() => Volatile.Write(ref *(ushort*)((byte*)_ring + 14), _tail);
}
