using System.Runtime.InteropServices;

namespace Shootout.Engines.Uring;

/// <summary>
/// The bytes a receive delivered: in a provided buffer lent by the ring (the usual case) or in the
/// connection's own buffer (the ring ran dry), held until their echo is sent, then given back.
/// </summary>
internal sealed unsafe partial class UringConnection
{
    private byte* HeldAddress() => _held switch
    {
        NoBuffer => null,
        OwnBuffer => _ownBuffer,
        _ => _loop.Buffers!.Address((ushort)_held),
    };

    private byte* OwnBufferAddress()
    {
        if (_ownBuffer is null)
            _ownBuffer = (byte*)NativeMemory.Alloc((nuint)_loop.OwnBufferSize);
        return _ownBuffer;
    }

    /// <summary>Gives the received bytes' buffer back: to the ring, or (an own buffer) to the allocator.</summary>
    private void ReleaseBuffer()
    {
        if (_held >= 0)
            _loop.Buffers!.Return((ushort)_held);
        _held = NoBuffer;
        _received = 0;
        if (_ownBuffer is not null && _loop.Buffers is not null)
        {
            NativeMemory.Free(_ownBuffer);
            _ownBuffer = null;
        }
    }

    /// <summary>Nothing in flight any more and closed: close the descriptor and free the slot.</summary>
    private void Release()
    {
        ReleaseBuffer();
        if (_ownBuffer is not null)
        {
            NativeMemory.Free(_ownBuffer);
            _ownBuffer = null;
        }
        _loop.Release(this);
    }
}
