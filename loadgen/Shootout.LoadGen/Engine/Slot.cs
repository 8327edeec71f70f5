using Shootout.Fibers;
using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// One connection of the load. Its fiber runs on <see cref="Loop"/>; fields marked "loop" are touched
/// only there. Kept small: at a million held connections this, a <see cref="NetConnection"/> and a
/// parked fiber are all the load generator holds per connection.
/// </summary>
internal sealed class Slot(long global, EventLoop loop)
{
    public readonly long Global = global;
    public readonly EventLoop Loop = loop;

    /// <summary>loop: the socket once connected.</summary>
    public NetConnection? Connection;

    /// <summary>loop, open model only: scheduled send times handed over by the pacer, and the fiber's wake-up.</summary>
    public Queue<long>? Pending;
    public FiberSignal? Signal;

    /// <summary>Messages handed to this slot but not yet sent (pacer increments, the consumer decrements).</summary>
    public int Queued;

    /// <summary>Stopwatch timestamp of the message on the wire (0: none).</summary>
    public long InFlightSince;

    /// <summary>Closed on purpose (plan ramp-down or end of run): what fails afterwards is no error.</summary>
    public volatile bool Closing;

    /// <summary>loop: the fiber has finished; messages handed over later are dropped.</summary>
    public bool Ended;

    public bool Alive;

    /// <summary>loop: this connection's own progress (messages echoed, or bytes for a flood or a writer that never
    /// reads), for the fairness figures.</summary>
    public long Progress;

    /// <summary>Position in the worker's active list, for O(1) removal.</summary>
    public int ActiveIndex = -1;

    /// <summary>loop: ends the connection at once (a reset, so no TIME_WAIT piles up) and wakes a waiting fiber.</summary>
    public void CloseOnLoop()
    {
        Closing = true;
        Connection?.Reset();
        Signal?.Set();
    }
}
