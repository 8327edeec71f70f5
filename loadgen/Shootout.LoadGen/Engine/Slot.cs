using System.Net;
using System.Threading.Channels;
using Shootout.LoadGen.Net;

namespace Shootout.LoadGen.Engine;

/// <summary>One connection of the load: its destination, its socket once connected, and in the open model
/// the queue of scheduled send times the pacer hands it.</summary>
internal sealed class Slot(long global, IPEndPoint target)
{
    public long Global { get; } = global;
    public IPEndPoint Target { get; } = target;
    public ClientConnection? Connection;
    public Channel<long>? Queue;

    /// <summary>Messages queued but not yet sent.</summary>
    public int Queued;

    /// <summary>Stopwatch timestamp of the message on the wire (0: none). The watchdog times it out.</summary>
    public long InFlightSince;

    /// <summary>Closed on purpose (plan ramp-down or end of run): what fails afterwards is no error.</summary>
    public volatile bool Closing;

    public volatile bool TimedOut;
    public bool Alive;

    /// <summary>Position in the worker's active list, for O(1) removal.</summary>
    public int ActiveIndex = -1;

    public void Close()
    {
        Closing = true;
        Queue?.Writer.TryComplete();
        Connection?.Abort();
    }
}
