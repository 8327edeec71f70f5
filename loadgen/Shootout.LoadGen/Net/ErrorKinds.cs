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
    public const string PortsExhausted = "ports_exhausted";
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

    /// <summary>
    /// A connect that timed out or found no free address while this process already holds about as many
    /// connections per source/destination pair as the ephemeral port range allows (connect() takes odd ports
    /// first, so trouble starts near half the range): the ports ran out, whatever errno said.
    /// </summary>
    public static string ClassifyConnect(Exception e, long heldPerPair, int portRange)
    {
        string kind = Classify(e);
        return kind is Timeout or AddrNotAvailable && heldPerPair >= portRange / 2 ? PortsExhausted : kind;
    }

    /// <summary>Words a person reads in the one-line error.</summary>
    public static string Describe(string kind) => kind switch
    {
        Refused => "connection refused",
        Timeout => "timed out",
        Reset => "connection reset",
        Closed => "server closed the connection",
        AddrNotAvailable => "no local address/port available",
        PortsExhausted => "the kernel's ephemeral ports towards a destination ran out (connects stall, then time out or fail); "
            + "spread the load: on loopback over more addresses (--dest-addresses N, or more source addresses, which loopback "
            + "targets get automatically), elsewhere with --source-addresses LIST|CIDR, or widen net.ipv4.ip_local_port_range",
        Mismatch => "echoed bytes differ from those sent",
        TooManyOpenFiles => "too many open files",
        Unreachable => "target unreachable",
        AgentLost => "an agent process died",
        _ => kind,
    };
}
