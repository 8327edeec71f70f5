namespace Shootout.Engines.Async;

/// <summary>
/// Process-wide settings of .NET's SocketAsyncEngine. They are read once, on the first asynchronous
/// socket operation, so they must be in place before the transport starts; a value the user set in
/// the environment wins.
/// </summary>
internal static class SocketEngineSettings
{
    public static void Apply()
    {
        // Run socket completions on the epoll thread that saw them instead of queueing each to the
        // thread pool; with Kestrel's inline scheduling the whole echo then runs without a hop.
        SetIfUnset("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
        // With completions inline, one epoll thread per core lets the echo use every core.
        SetIfUnset("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", Environment.ProcessorCount.ToString());
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
            Environment.SetEnvironmentVariable(name, value);
    }
}
