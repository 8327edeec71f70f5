using System.Net;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Net;

/// <summary>One connection to each destination before the load starts, on a one-loop netpoller.</summary>
internal static class Probe
{
    /// <returns>The first destination that failed and the kind of failure, or null.</returns>
    public static async Task<(string Target, string Kind)?> RunAsync(IEnumerable<string> targets, TimeSpan timeout)
    {
        await using var group = new EventLoopGroup(new NetpollOptions { Loops = 1, SharedBufferSize = 1 });
        EventLoop loop = group.Loops[0];
        (string, string)? failure = null;
        var list = targets.ToArray();
        await loop.Spawn(async () =>
        {
            foreach (var target in list)
            {
                try
                {
                    NetConnection connection = await loop.ConnectAsync(IPEndPoint.Parse(target), timeout: timeout);
                    connection.Close();
                }
                catch (Exception e)
                {
                    failure = (target, ErrorKinds.Classify(e));
                    return;
                }
            }
        }).ConfigureAwait(false);
        return failure;
    }
}
