namespace Shootout.Server.Tests;

/// <summary>The engines every end-to-end test runs against.</summary>
public static class Engines
{
    public static TheoryData<string> All => ["threads", "async", "epoll", "uring"];

    /// <summary>
    /// The uring engine with a ring feature switched off ("engine:-feature", as tests/bench/syscalls.sh writes it):
    /// each changes how data is received, so the tests of bulk flows, backpressure and half-close run on them too.
    /// </summary>
    public static TheoryData<string> UringFeaturesOff => ["uring:-multishot-receive", "uring:-provided-buffers"];
}

/// <summary>A test server's /metrics, scraped by <see cref="MetricsScrape"/>.</summary>
public static class ServerMetrics
{
    extension(MetricsScrape)
    {
        public static MetricsScrape From(ServerProcess server) => MetricsScrape.From(server.MetricsPort);

        /// <summary>A scrape, or null while the endpoint cannot answer (for example out of descriptors).</summary>
        public static MetricsScrape? TryFrom(ServerProcess server) => MetricsScrape.TryFrom(server.MetricsPort);
    }
}
