using System.Net;
using System.Net.Sockets;
using Shootout.Engines.Epoll;
using Shootout.Server.Core;

namespace Shootout.Netpoll.Tests;

/// <summary>An epoll engine on an ephemeral loopback port, stopped on dispose.</summary>
internal sealed class RunningEngine : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public EpollEngine Engine { get; }
    public ServerStats Stats { get; } = new();
    public StringWriter LogText { get; } = new();
    private bool _stopped;

    private RunningEngine(ServerOptions options)
    {
        Engine = new EpollEngine(new EngineContext(options, Stats, new ServerLog("epoll", TextWriter.Synchronized(LogText))));
    }

    public static async Task<RunningEngine> StartAsync(Func<ServerOptions, ServerOptions>? configure = null)
    {
        var options = new ServerOptions { Engine = "epoll", Bind = IPAddress.Loopback, Port = 0, EventLoops = 2 };
        var engine = new RunningEngine(configure?.Invoke(options) ?? options);
        await engine.Engine.StartAsync(CancellationToken.None);
        return engine;
    }

    public IPEndPoint EndPoint => Engine.LocalEndPoint;

    public async Task<Socket> ConnectAsync()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(EndPoint).WaitAsync(Timeout);
        return socket;
    }

    public async Task StopAsync()
    {
        if (_stopped)
            return;
        _stopped = true;
        await Engine.StopAsync(CancellationToken.None).WaitAsync(Timeout);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await Engine.DisposeAsync();
    }
}

internal static class SocketExtensions
{
    /// <summary>Reads exactly <paramref name="count"/> bytes or fails on timeout/EOF.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(this Socket socket, int count)
    {
        var buffer = new byte[count];
        int got = 0;
        using var cts = new CancellationTokenSource(RunningEngine.Timeout);
        while (got < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, cts.Token);
            if (n == 0)
                Assert.Fail($"end of stream after {got} of {count} bytes");
            got += n;
        }
        return buffer;
    }

    /// <summary>Reads until the peer closes; returns what arrived.</summary>
    public static async Task<byte[]> ReceiveToEndAsync(this Socket socket)
    {
        var all = new MemoryStream();
        var buffer = new byte[65536];
        using var cts = new CancellationTokenSource(RunningEngine.Timeout);
        while (true)
        {
            int n;
            try { n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token); }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { break; }
            if (n == 0)
                break;
            all.Write(buffer, 0, n);
        }
        return all.ToArray();
    }

    public static byte[] Pattern(int length, int seed = 0)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
