using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Shootout.Fibers.Interop;

namespace Shootout.Netpoll.Interop;

/// <summary>Writes a Linux sockaddr_in / sockaddr_in6 for an <see cref="IPEndPoint"/>.</summary>
internal static class SockAddr
{
    /// <summary>Large enough for sockaddr_in6 (28 bytes).</summary>
    public const int MaxSize = 28;

    /// <returns>The length of the address written.</returns>
    public static int Write(IPEndPoint endPoint, Span<byte> buffer)
    {
        buffer[..MaxSize].Clear();
        if (endPoint.AddressFamily == AddressFamily.InterNetwork)
        {
            // struct sockaddr_in { sa_family_t family; in_port_t port (big-endian); struct in_addr addr; char zero[8]; }
            BitConverter.TryWriteBytes(buffer, (ushort)Libc.AF_INET);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(buffer[4..8], out _);
            return 16;
        }
        if (endPoint.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // struct sockaddr_in6 { family; port; uint32 flowinfo; in6_addr addr; uint32 scope_id; }
            BitConverter.TryWriteBytes(buffer, (ushort)Libc.AF_INET6);
            BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)endPoint.Port);
            endPoint.Address.TryWriteBytes(buffer[8..24], out _);
            BitConverter.TryWriteBytes(buffer[24..], (uint)endPoint.Address.ScopeId);
            return 28;
        }
        throw new ArgumentException($"unsupported address family {endPoint.AddressFamily}", nameof(endPoint));
    }
}
