using System.Net.Sockets;

namespace Shootout.Server.Core;

/// <summary>
/// The rules around an echo fiber that every event-loop engine applies the same way: admission and its
/// release, what a failed accept does, and how a connection's end is counted. The fibers themselves
/// stay in their engines: each is a few lines of awaits on that engine's own connection type.
/// </summary>
public sealed class FiberConnectionRules(EngineContext context)
{
    private readonly ServerStats _stats = context.Stats;
    private readonly ConnectionGate _gate = context.Gate;
    private readonly RateLimitedLog _acceptErrorLog = new(context.Log, TimeSpan.FromSeconds(5));

    public ServerOptions Options { get; } = context.Options;

    /// <summary>--min-data-rate is set: the engine starts its fiber that checks a <see cref="TrafficWatch"/>.</summary>
    public bool EnforcesMinDataRate { get; } = context.Options.MinDataRate is not null;

    /// <summary>Admission (--max-connections, the descriptor budget); false: the socket is closed at once.</summary>
    public bool TryAdmit() => _gate.TryEnter();

    /// <summary>A connection <see cref="TryAdmit"/> let in has closed its descriptor.</summary>
    public void OnClosed() => _gate.Exit();

    /// <summary>An accept failed with <paramref name="errno"/>; returns how long the loop stops accepting.</summary>
    public TimeSpan OnAcceptError(int errno)
    {
        if (AcceptErrors.IsFdExhaustion(errno))
        {
            _stats.OnRejected(RejectReason.FdLimit);
            _acceptErrorLog.Warn(
                $"accept: out of file descriptors (errno {errno}); pausing accepts for {AcceptErrors.FdExhaustedBackoff.TotalMilliseconds} ms");
        }
        else
        {
            // Anything else (ENOBUFS, ENOMEM, ...) is also a resource shortage: back off the same way.
            _acceptErrorLog.Warn($"accept failed: errno {errno}; pausing accepts");
        }
        return AcceptErrors.FdExhaustedBackoff;
    }

    /// <summary>A message of <paramref name="bytes"/> was echoed.</summary>
    public void OnEchoed(int bytes) => _stats.OnEchoed(bytes);

    /// <summary>The min-data-rate rule closed a connection.</summary>
    public void OnRejected(RejectReason reason) => _stats.OnRejected(reason);

    /// <summary>How a connection ends without the server being at fault; counted where it is the server's doing.</summary>
    public bool IsOrdinaryEnd(Exception e)
    {
        switch (e)
        {
            case TimeoutException:
                _stats.OnRejected(RejectReason.IdleTimeout);
                return true;
            case SocketException or ObjectDisposedException:
                return true; // reset, broken pipe or stop: this connection ends, nothing else does
            default:
                return false;
        }
    }
}
