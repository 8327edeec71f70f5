using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Shootout.Server.Core;

namespace Shootout.Server;

/// <summary>Where /metrics is served; port 0 means no metrics.</summary>
internal sealed record MetricsEndpoint(IPAddress Bind, int Port);

/// <summary>
/// One server process: start the engine, record the baseline, serve metrics, and on SIGTERM or
/// SIGINT stop accepting, close every connection and exit 0 within a few seconds.
/// </summary>
internal sealed class ServerHost(ServerOptions options, EngineFactory factory, MetricsEndpoint metricsEndpoint)
{
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(4);

    public async Task<int> RunAsync()
    {
        var log = new ServerLog(options.Engine);
        var stats = new ServerStats();
        using var stop = new CancellationTokenSource();
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);

        // The runtime starts its timer thread on first use, and starting a thread takes descriptors:
        // started now, back-off delays still fire when the process later runs out of descriptors.
        await Task.Delay(1);

        var engine = factory(new EngineContext(options, stats, log));
        bool abandoned = false; // past the stop deadline: exiting closes what is left, disposing would wait for it
        try
        {
            try
            {
                await engine.StartAsync(stop.Token);
            }
            catch (Exception e) when (e is SocketException or IOException)
            {
                Console.Error.WriteLine($"shootout-server: cannot listen on {options.Bind}:{options.Port}: {e.Message}");
                return 1;
            }
            catch (EngineUnavailableException e)
            {
                Console.Error.WriteLine($"shootout-server: {e.Message}");
                return 1;
            }

            long baseline = ProcessStats.ResidentBytes();
            using var metrics = StartMetrics(stats, baseline, log);
            if (metricsEndpoint.Port != 0 && metrics is null)
                return 1;

            // One parseable line on stdout: tools and tests read the bound port from it.
            string metricsText = metrics is null ? "off" : $"http://{metricsEndpoint.Bind}:{metricsEndpoint.Port}/metrics";
            Console.Out.WriteLine(
                $"shootout-server engine={options.Engine} listening={engine.LocalEndPoint} metrics={metricsText} pid={Environment.ProcessId}");
            Console.Out.Flush();

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
            }

            log.Info($"stopping: closing {stats.OpenConnections} connections");
            using var deadline = new CancellationTokenSource(StopDeadline);
            try
            {
                await engine.StopAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                // Seen at a million connections: 63 copies stopping at once on two cores while the kernel still
                // tears down the clients' sockets, and a few copies needed more than the deadline. Exiting closes
                // what is left just the same (the kernel sends each FIN); waiting for the engine could take long.
                log.Warn($"stop deadline ({StopDeadline.TotalSeconds:0} s) passed with {stats.OpenConnections} connections open; exiting, which closes them");
                abandoned = true;
                return 0;
            }
            log.Info($"stopped ({stats.OpenConnections} connections left open)");
            return 0;
        }
        finally
        {
            if (!abandoned)
                await engine.DisposeAsync();
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we exit ourselves, once connections are closed
            stop.Cancel();
        }
    }

    private ServerMetrics? StartMetrics(ServerStats stats, long baseline, ServerLog log)
    {
        if (metricsEndpoint.Port == 0)
            return null;
        string host = metricsEndpoint.Bind.Equals(IPAddress.Any) ? "+" : metricsEndpoint.Bind.ToString();
        try
        {
            return new ServerMetrics(options.Engine, stats, baseline, host, metricsEndpoint.Port);
        }
        catch (Exception e) when (e is HttpListenerException or SocketException or InvalidOperationException)
        {
            Console.Error.WriteLine($"shootout-server: cannot serve metrics on {metricsEndpoint.Bind}:{metricsEndpoint.Port}: {e.Message}");
            return null;
        }
    }
}
