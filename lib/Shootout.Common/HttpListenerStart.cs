namespace Shootout.Common;

/// <summary>
/// Starts a server built on .NET's HttpListener (prometheus-net's MetricServer is one) so that a client
/// connecting at the wrong moment cannot kill the process.
/// </summary>
/// <remarks>
/// On Linux the managed HttpListener accepts from inside its endpoint listener's constructor, before that
/// object's lock is assigned: a connection already waiting in the backlog at that moment makes
/// HttpListener.Start() throw ArgumentNullException (dotnet/corefx#35191). A scraper or a test polling the
/// metrics port while the process starts is such a connection. The half-built listener's socket stays bound
/// until its finalizer closes it, so a retry first lets the finalizers run.
/// </remarks>
public static class HttpListenerStart
{
    private const int Attempts = 5;

    public static T Start<T>(Func<T> create, Action<T> start) where T : IDisposable
    {
        for (int attempt = 1; ; attempt++)
        {
            T server = create();
            try
            {
                start(server);
                return server;
            }
            catch (ArgumentNullException e) when (attempt < Attempts && IsStartRace(e))
            {
                DisposeQuietly(server);
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            catch
            {
                DisposeQuietly(server);
                throw;
            }
        }
    }

    private static bool IsStartRace(ArgumentNullException e) => e.StackTrace?.Contains("HttpEndPointListener", StringComparison.Ordinal) == true;

    private static void DisposeQuietly(IDisposable server)
    {
        try { server.Dispose(); }
        catch (ObjectDisposedException) { } // a failed Start has already closed the listener
    }
}
