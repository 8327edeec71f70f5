using Shootout.Runner.Machine;

namespace Shootout.Runner.Bench;

/// <summary>
/// The server's own CPU over its accept bursts, each from the first connect until every connection has echoed its byte
/// (their closing after is not counted). Unlike the bursts' wall time, it does not grow when something else takes the
/// server's CPU meanwhile (another process, a vCPU taken away): the scheduler charges a process only for the time it ran.
/// On loopback the handshakes run on the client's CPU (the kernel answers a SYN in the sender's context), so this is the
/// server's accept path alone: accept, registering the socket, the first read and write (and, for a thread per connection,
/// the thread). From /proc/PID/stat: whole clock ticks, 10 ms over a burst of ~0.3 s.
/// </summary>
internal sealed class AcceptCpu(int pid)
{
    /// <summary>Server CPU seconds over every burst so far.</summary>
    public double Seconds { get; private set; }

    public async Task<T> OverAsync<T>(Func<Task<T>> burst)
    {
        var before = CpuCounters.Cpu([pid]);
        var result = await burst();
        var used = CpuCounters.Cpu([pid]) - before;
        Seconds += used.UserSeconds + used.SystemSeconds;
        return result;
    }
}
