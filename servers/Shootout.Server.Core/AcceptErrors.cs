using System.Net.Sockets;

namespace Shootout.Server.Core;

/// <summary>
/// What to do when accept fails. Running out of descriptors must not kill the server or spin a
/// core: back off, count it, and try again once descriptors may have freed up.
/// </summary>
public static class AcceptErrors
{
    private const int Emfile = 24, Enfile = 23;

    /// <summary>How long to pause accepting after an EMFILE/ENFILE.</summary>
    public static readonly TimeSpan FdExhaustedBackoff = TimeSpan.FromMilliseconds(50);

    public static bool IsFdExhaustion(int errno) => errno is Emfile or Enfile;

    public static bool IsFdExhaustion(SocketException e) =>
        IsFdExhaustion(e.NativeErrorCode) || e.SocketErrorCode == SocketError.TooManyOpenSockets;

    /// <summary>Errors that concern only the one connection being accepted (it was reset before accept).</summary>
    public static bool IsTransient(SocketError error) =>
        error is SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted or SocketError.WouldBlock;
}
