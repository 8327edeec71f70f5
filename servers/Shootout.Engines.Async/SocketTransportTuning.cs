using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>How Kestrel's socket connections are set up for many mostly idle echo connections.</summary>
internal static class SocketTransportTuning
{
    public static SocketConnectionFactoryOptions Create() => new()
    {
        // Idle connections wait with a zero-byte read and hold no receive buffer.
        WaitForDataBeforeAllocatingBuffer = true,
        // Continuations run on the socket engine's thread instead of a hop through the thread pool:
        // safe because the echo handler never blocks, and measured faster with less memory held.
        UnsafePreferInlineScheduling = true,
        // Bounded buffering for a client that sends but does not read (about 64 KiB in all).
        MaxReadBufferSize = ServerOptions.MaxPendingBytesPerConnection / 2,
        MaxWriteBufferSize = ServerOptions.MaxPendingBytesPerConnection / 2,
    };
}
