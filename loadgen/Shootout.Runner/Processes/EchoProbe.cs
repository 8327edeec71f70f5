using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Shootout.Runner.Processes;

/// <summary>
/// One message sent to a server that announces nothing, before it is measured: a server that does not echo
/// fails here with what it did (wrong bytes, closed early, no answer) instead of as an empty echo phase.
/// </summary>
internal static class EchoProbe
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Null when <paramref name="size"/> bytes came back as sent; otherwise what went wrong, in one line.</summary>
    public static async Task<string?> CheckAsync(int port, int size, CancellationToken cancel)
    {
        // No newline: a server that answers whole lines only would hold the message, which is not an echo.
        var sent = new byte[Math.Max(1, size)];
        for (int i = 0; i < sent.Length; i++) sent[i] = (byte)('a' + i % 26);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(AnswerTimeout);
        var received = new byte[sent.Length];
        int got = 0;
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token).ConfigureAwait(false);
            await socket.SendAsync(sent, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            while (got < received.Length)
            {
                int n = await socket.ReceiveAsync(received.AsMemory(got), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0) return $"closed the connection after {got} of {sent.Length} bytes echoed";
                got += n;
                if (!received.AsSpan(0, got).SequenceEqual(sent.AsSpan(0, got)))
                    return $"echoed the wrong bytes: sent \"{Show(sent)}\", got \"{Show(received.AsSpan(0, got))}\"";
            }
            return null;
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            return got == 0
                ? $"sent {sent.Length} bytes (no newline), nothing came back within {AnswerTimeout.TotalSeconds:0} s: not an echo"
                : $"echoed {got} of {sent.Length} bytes, then nothing within {AnswerTimeout.TotalSeconds:0} s";
        }
        catch (SocketException e)
        {
            return $"echo check on 127.0.0.1:{port}: {e.Message}";
        }
    }

    private static string Show(ReadOnlySpan<byte> bytes)
    {
        var text = Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 40)]);
        return string.Concat(text.Select(c => char.IsControl(c) ? '·' : c)) + (bytes.Length > 40 ? "…" : "");
    }
}
