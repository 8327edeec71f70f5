// The leanest async/await echo server on .NET's Socket: one async method per connection, a pooled
// buffer only while a read is in flight. Accepting is set up as the async engine sets it up (one
// SO_REUSEPORT listen socket and accept loop per core, a 4,096 backlog, TCP_NODELAY), so the rows
// differ only in what serves a connection once accepted.
//   dotnet-socket-echo PORT
using System.Buffers;
using System.Net;
using System.Net.Sockets;

if (args.Length != 1 || !int.TryParse(args[0], out int port) || port is < 1 or > 65535)
{
    Console.Error.WriteLine("usage: dotnet-socket-echo PORT (1-65535)");
    return 2;
}
// The socket engine settings the async engine runs with, so throughput compares like with like.
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT", Environment.ProcessorCount.ToString());

var listeners = new List<Socket>();
try
{
    for (int i = 0; i < Environment.ProcessorCount; i++)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listeners.Add(listener);
        const int SolSocket = 1, SoReusePort = 15;
        listener.SetRawSocketOption(SolSocket, SoReusePort, BitConverter.GetBytes(1));
        listener.Bind(new IPEndPoint(IPAddress.Any, port));
        listener.Listen(4096);
    }
}
catch (SocketException e)
{
    Console.Error.WriteLine($"dotnet-socket-echo: cannot listen on port {port}: {e.Message}");
    return 1;
}
Console.WriteLine($"listening on {port}");
await Task.WhenAll(listeners.Select(AcceptAsync));
return 0;

static async Task AcceptAsync(Socket listener)
{
    while (true)
    {
        Socket connection;
        try
        {
            connection = await listener.AcceptAsync();
        }
        catch (SocketException)
        {
            // Out of descriptors or an aborted handshake: a reference server only needs to survive it.
            await Task.Delay(50);
            continue;
        }
        connection.NoDelay = true;
        _ = EchoAsync(connection);
    }
}

static async Task EchoAsync(Socket connection)
{
    try
    {
        while (true)
        {
            // A zero-byte read waits for data without holding a buffer: an idle connection owns none.
            await connection.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
            byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                int n = await connection.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0) return;
                await connection.SendAsync(buffer.AsMemory(0, n), SocketFlags.None);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
    catch (SocketException)
    {
        // Reset by the peer: the connection is over either way.
    }
    finally
    {
        connection.Dispose();
    }
}
