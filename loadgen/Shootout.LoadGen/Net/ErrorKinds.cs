using System.Net.Sockets;

namespace Shootout.LoadGen.Net;

/// <summary>Names for what went wrong, as they appear in summary.json, reports and metrics.</summary>
internal static class ErrorKinds
{
    public const string Refused = "refused";
    public const string Timeout = "timeout";
    public const string Reset = "reset";
    public const string Closed = "closed";
    public const string AddrNotAvailable = "addr_not_available";
    public const string Mismatch = "mismatch";
    public const string TooManyOpenFiles = "too_many_open_files";
    public const string Unreachable = "unreachable";
    public const string AgentLost = "agent_lost";
    public const string Other = "other";

    public static string Classify(Exception e) => e switch
    {
        SocketException se => se.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => Refused,
            SocketError.TimedOut => Timeout,
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => Reset,
            SocketError.AddressNotAvailable or SocketError.AddressAlreadyInUse => AddrNotAvailable,
            SocketError.TooManyOpenSockets => TooManyOpenFiles,
            SocketError.NetworkUnreachable or SocketError.HostUnreachable or SocketError.HostNotFound => Unreachable,
            SocketError.NoBufferSpaceAvailable => "no_buffer_space",
            _ => se.SocketErrorCode.ToString().ToLowerInvariant(),
        },
        OperationCanceledException => Timeout,
        PeerClosedException => Closed,
        IOException { InnerException: SocketException inner } => Classify(inner),
        _ => Other,
    };

    /// <summary>Words a person reads in the one-line error.</summary>
    public static string Describe(string kind) => kind switch
    {
        Refused => "connection refused",
        Timeout => "timed out",
        Reset => "connection reset",
        Closed => "server closed the connection",
        AddrNotAvailable => "no local address/port available",
        Mismatch => "echoed bytes differ from those sent",
        TooManyOpenFiles => "too many open files",
        Unreachable => "target unreachable",
        AgentLost => "an agent process died",
        _ => kind,
    };
}
