namespace Shootout.Netpoll;

/// <summary>What a server does with the connections its listener accepts.</summary>
public interface IConnectionHandler
{
    /// <summary>
    /// Admission, on the accepting loop's thread, before the connection is registered anywhere.
    /// false: the descriptor is closed at once.
    /// </summary>
    bool OnAccepted();

    /// <summary>
    /// accept() failed with <paramref name="errno"/> (other than EAGAIN and the per-connection errors
    /// it retries by itself, such as ECONNABORTED). Returns how long this loop stops accepting;
    /// <see cref="TimeSpan.Zero"/> to try again on the next readiness.
    /// </summary>
    TimeSpan OnAcceptError(int errno);

    /// <summary>
    /// Starts serving an admitted connection, on its own loop's thread: typically starts a fiber
    /// (an async method) that ends by closing the connection. Called exactly once for every
    /// connection <see cref="OnAccepted"/> admitted, even if it could not be registered (then its
    /// first operation throws <see cref="ObjectDisposedException"/>).
    /// </summary>
    void OnConnection(NetConnection connection);
}
