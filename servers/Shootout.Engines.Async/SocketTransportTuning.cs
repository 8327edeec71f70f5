using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>How the Sockets transport is set up for many mostly idle echo connections.</summary>
internal static class SocketTransportTuning
{
    public static Action<SocketTransportOptions> Apply(ServerOptions options) => transport =>
    {
        transport.Backlog = options.Backlog;
        transport.CreateBoundListenSocket = endPoint => ListenSocket.CreateBound(endPoint, options.ReusePort);
        // Idle connections wait with a zero-byte read and hold no receive buffer.
        transport.WaitForDataBeforeAllocatingBuffer = true;
        // Bounded buffering for a client that sends but does not read (about 64 KiB in all).
        transport.MaxReadBufferSize = ServerOptions.MaxPendingBytesPerConnection / 2;
        transport.MaxWriteBufferSize = ServerOptions.MaxPendingBytesPerConnection / 2;
    };
}
