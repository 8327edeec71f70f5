namespace Shootout.Server.Core;

/// <summary>
/// When a connection has had its turn: the one rule by which the engines that serve connections on threads
/// (async, threads) tell a busy connection from a light one, and move the busy one out of the light ones' way.
/// </summary>
public static class EchoTurn
{
    /// <summary>
    /// Bytes a connection echoes in a row, without waiting for its client, before its turn is used up.
    /// Measured beside 16 floods of 64 KiB writes with the thread pool as the async engine's lane
    /// (shootout-loadgen neighbours, 2 rounds each): a light client's p50 0.79-0.97 ms and p99 10.8-10.9 ms
    /// at 64 KiB, 0.52-0.65 ms and 6.9-8.1 ms at 16 KiB, the floods' bytes/s the same within the rounds' spread.
    /// </summary>
    public const int Bytes = 16 * 1024;

    /// <summary>
    /// A wait for data this long means the client paused, and the connection's next echo starts a new turn.
    /// A shorter wait is not a pause: while its socket has data, a connection's reads still wait a few
    /// microseconds (for the receive loop on the same thread, or for the client's next write). Without this,
    /// a client of small request and response would use up a turn every 16 KiB it ever sent.
    /// </summary>
    public static readonly TimeSpan PauseEnds = TimeSpan.FromMicroseconds(500);
}
