using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Shootout.Netpoll.Interop;

/// <summary>
/// struct epoll_event { uint32_t events; epoll_data_t data; } — declared __attribute__((packed)) on
/// x86-64 only, so it is 12 bytes there (data at offset 4) and 16 bytes elsewhere (data at offset 8).
/// Events are read and written through this layout instead of a C# struct so one build serves both.
/// </summary>
internal static unsafe class EpollEvent
{
    public static readonly int Size = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;
    private static readonly int DataOffset = Size == 12 ? 4 : 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Events(byte* ev) => Unsafe.ReadUnaligned<uint>(ev);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Data(byte* ev) => Unsafe.ReadUnaligned<ulong>(ev + DataOffset);

    public static void Write(byte* ev, uint events, ulong data)
    {
        new Span<byte>(ev, Size).Clear();
        Unsafe.WriteUnaligned(ev, events);
        Unsafe.WriteUnaligned(ev + DataOffset, data);
    }
}
