namespace Shootout.Netpoll;

/// <summary>Settings of an <see cref="EventLoopGroup"/>.</summary>
public sealed record NetpollOptions
{
    /// <summary>Event-loop threads; 0 means one per core (<see cref="LoopCount"/> says how many that is).</summary>
    public int Loops { get; init; }

    /// <summary>The number of loops a group with these options runs: the one place "0 means one per core" is resolved.</summary>
    public int LoopCount => Loops == 0 ? Environment.ProcessorCount : Loops;

    /// <summary>
    /// Abort a read that has waited this long since the connection last received a byte: the fiber's
    /// ReadAsync throws <see cref="TimeoutException"/>. null: never. Checked about 4 times per period.
    /// </summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>Bytes of each loop's <see cref="EventLoop.SharedBuffer"/>.</summary>
    public int SharedBufferSize { get; init; } = 64 * 1024;

    /// <summary>
    /// A fiber yields after this many operations that completed without parking, so one busy connection
    /// cannot starve the loop (see <see cref="FiberByteBudget"/>, the other half of a turn's budget).
    /// </summary>
    public int FiberBudget { get; init; } = 16;

    /// <summary>
    /// A fiber also yields once its operations in one turn have moved this many bytes. The default is
    /// one full read of the shared buffer and its echo: a 64 KiB flood then costs its neighbours about
    /// 30 µs per turn rather than 16 × 64 KiB of copying, and a yield never falls between a read and its
    /// write (which would copy the shared buffer out).
    /// </summary>
    public int FiberByteBudget { get; init; } = 128 * 1024;

    /// <summary>
    /// Each loop thread takes a private copy of the process's descriptor table (unshare(CLONE_FILES))
    /// before it opens any connection, so each loop may hold as many sockets as the open-file limit
    /// allows (RLIMIT_NOFILE bounds descriptor numbers per table): one process then holds N × ~20,000
    /// client connections instead of ~20,000, without paying a runtime per 20,000. For clients only
    /// (a group with this set cannot accept). Rules that come with it: the loop's sockets exist only on
    /// its own thread (already the netpoll rule), and loop threads must not open other files (first use
    /// of Console, files, /dev/urandom): such a descriptor would be invisible to the rest of the process.
    /// </summary>
    public bool PrivateDescriptorTables { get; init; }

    /// <summary>
    /// How late the kernel may wake a loop thread from a timed wait, to batch wake-ups
    /// (prctl(PR_SET_TIMERSLACK), per thread). null: the kernel's default, 50 µs. A client that keeps a
    /// schedule of sends sets a few microseconds; a server, whose timers are deadlines, needs none.
    /// </summary>
    public TimeSpan? TimerSlack { get; init; }

    /// <summary>
    /// The loop threads' scheduler slice (Linux 6.12+: EEVDF's custom slice, sched_setattr). A loop with a
    /// slice shorter than the default (0.75–3 ms) runs as soon as it wakes instead of after the running
    /// thread's slice: its timers and events are served on time while other threads of the process (a
    /// client's per-second bookkeeping, the JIT, the GC) or other processes share its CPU. null: the default.
    /// </summary>
    public TimeSpan? SchedulerSlice { get; init; }

    /// <summary>
    /// When a sleeping fiber is due within this long, the loop polls without blocking until it is due
    /// instead of sleeping: no timer wake-up to pay (tens of microseconds on a virtual machine), at the
    /// price of a busy core for that long before each timer. Zero (the default): always sleep.
    /// </summary>
    public TimeSpan TimerSpin { get; init; }

    /// <summary>Receives exceptions that escaped a handler or a posted action; the loop keeps running.</summary>
    public Action<Exception>? OnError { get; init; }
}
