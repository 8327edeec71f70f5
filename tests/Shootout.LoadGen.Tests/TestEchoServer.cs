using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// An echo server inside the test. With a stall period it freezes — reads nothing, echoes nothing — for
/// <c>stallFor</c> at the start of every <c>stallEvery</c>, the way a GC pause or a stuck event loop would.
/// </summary>
internal sealed class TestEchoServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _clients = new();
    private readonly TimeSpan _stallEvery, _stallFor;
    private readonly long _epoch = Stopwatch.GetTimestamp();

    public int Port { get; }

    public TestEchoServer(TimeSpan stallEvery = default, TimeSpan stallFor = default)
    {
        _stallEvery = stallEvery;
        _stallFor = stallFor;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _ = AcceptLoopAsync();
    }

    /// <summary>Closes every client connection (as a dying server would) and stops listening.</summary>
    public void Kill()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_clients)
            foreach (var c in _clients)
            {
                try { c.LingerState = new LingerOption(true, 0); } catch (SocketException) { } catch (ObjectDisposedException) { }
                c.Dispose();
            }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try { client = await _listener.AcceptAsync(); }
            catch (Exception) { return; }
            lock (_clients) _clients.Add(client);
            _ = EchoAsync(client);
        }
    }

    private async Task EchoAsync(Socket client)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = await client.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) break;
                await WaitOutStallAsync();
                int sent = 0;
                while (sent < n) sent += await client.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None);
            }
        }
        catch (Exception) { }
        finally { client.Dispose(); }
    }

    private async Task WaitOutStallAsync()
    {
        if (_stallEvery <= TimeSpan.Zero) return;
        var now = Stopwatch.GetElapsedTime(_epoch);
        var intoPeriod = TimeSpan.FromTicks(now.Ticks % _stallEvery.Ticks);
        if (intoPeriod < _stallFor) await Task.Delay(_stallFor - intoPeriod);
    }

    public void Dispose() => Kill();
}
