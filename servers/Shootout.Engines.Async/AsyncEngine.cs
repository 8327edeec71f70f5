using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>
/// Kestrel's Sockets transport used as a raw TCP server: a listen endpoint whose pipeline is
/// connection middleware then the echo <see cref="ConnectionHandler"/>; no HTTP anywhere.
/// </summary>
public sealed class AsyncEngine(EngineContext context) : IEchoEngine
{
    private WebApplication? _app;

    public IPEndPoint LocalEndPoint { get; private set; } = new(IPAddress.None, 0);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = context.Options;
        // The empty builder brings no logging, configuration or hosting extras: per-connection
        // logging scopes and diagnostics are what make a default host slow to accept.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddSingleton(context.Stats);
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxConcurrentConnections = null; // the gate middleware owns the limit
            kestrel.Listen(new IPEndPoint(options.Bind, options.Port), listen => listen
                .Use(next => new ConnectionGateMiddleware(next, context.Gate).OnConnectionAsync)
                .UseConnectionHandler<EchoConnectionHandler>());
        });
        builder.WebHost.UseSockets(SocketTransportTuning.Apply(options));
        _app = builder.Build();
        await _app.StartAsync(cancellationToken);

        string address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var uri = new Uri(address);
        LocalEndPoint = new IPEndPoint(IPAddress.Parse(uri.Host.Trim('[', ']')), uri.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is null)
            return;
        // Echo connections never finish on their own; an already-expired graceful period makes
        // Kestrel stop accepting and abort them all at once.
        using var now = new CancellationTokenSource();
        now.Cancel();
        await _app.StopAsync(now.Token);
        while (context.Stats.OpenConnections > 0 && !cancellationToken.IsCancellationRequested)
            await Task.Delay(10, CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }
}
