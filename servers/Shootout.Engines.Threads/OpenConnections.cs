namespace Shootout.Engines.Threads;

/// <summary>The connections being served, by descriptor, so a stop can wake every blocked thread at once.</summary>
internal sealed class OpenConnections
{
    private readonly HashSet<int> _fds = [];
    private readonly Lock _lock = new();
    private bool _closed;

    public void Add(int fd)
    {
        bool closed;
        lock (_lock)
        {
            closed = _closed;
            if (!closed)
                _fds.Add(fd);
        }
        if (closed)
            Libc.Shutdown(fd, Libc.SHUT_RDWR);
    }

    public void Remove(int fd)
    {
        // Under the lock, so a stop never shuts down a descriptor number already reused elsewhere.
        lock (_lock)
            _fds.Remove(fd);
    }

    /// <summary>
    /// Shuts every connection down: the FIN reaches the client and the blocked poll returns. Done
    /// under the lock: a connection removes itself (then closes its fd) only after this finishes.
    /// </summary>
    public void ShutdownAll()
    {
        lock (_lock)
        {
            _closed = true;
            foreach (int fd in _fds)
                Libc.Shutdown(fd, Libc.SHUT_RDWR);
        }
    }
}
