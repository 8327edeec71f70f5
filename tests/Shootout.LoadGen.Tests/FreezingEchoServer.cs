using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// An echo server that freezes for <c>freezeFor</c> at the start of every <c>period</c>: a thread per connection,
/// blocking sockets, so outside a freeze its answers do not wait for the test host's thread pool (which a loaded
/// machine starves for tens of milliseconds: that would be the server's latency, not the freeze's).
/// </summary>
internal sealed class FreezingEchoServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _clients = [];
    private readonly TimeSpan _period, _freezeFor;
    private readonly long _epoch = Stopwatch.GetTimestamp();
    private volatile bool _stopped;

    public int Port { get; }

    public FreezingEchoServer(TimeSpan period, TimeSpan freezeFor)
    {
        _period = period;
        _freezeFor = freezeFor;
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1024);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        new Thread(Accept) { IsBackground = true, Name = "freezing-accept" }.Start();
    }

    private void Accept()
    {
        while (!_stopped)
        {
            Socket client;
            try { client = _listener.Accept(); }
            catch (Exception) { return; }
            client.NoDelay = true;
            lock (_clients) _clients.Add(client);
            new Thread(() => Echo(client)) { IsBackground = true, Name = "freezing-echo" }.Start();
        }
    }

    private void Echo(Socket client)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                int n = client.Receive(buffer);
                if (n == 0) break;
                var intoPeriod = TimeSpan.FromTicks(Stopwatch.GetElapsedTime(_epoch).Ticks % _period.Ticks);
                if (intoPeriod < _freezeFor) Thread.Sleep(_freezeFor - intoPeriod);
                client.Send(buffer.AsSpan(0, n));
            }
        }
        catch (Exception) { }
        finally { client.Dispose(); }
    }

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        lock (_clients)
            foreach (var c in _clients) c.Dispose();
    }
}
