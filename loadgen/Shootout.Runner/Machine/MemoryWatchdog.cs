using System.Globalization;
using static Shootout.Runner.Reports.Invariant;

namespace Shootout.Runner.Machine;

/// <summary>What the watchdog says about the memory left: fine, stop ramping, or stop everything now.</summary>
internal enum MemoryVerdict { Fine, StopRamp, Emergency }

/// <summary>
/// Keeps the machine usable while an engine ramps: reads MemAvailable and says when to stop opening
/// connections (below the reserve) and when to tear the engine down at once (below half the reserve).
/// Connections the kernel has already established but the servers have not yet accepted, and those
/// still connecting (a paused client cannot call them back), still cost their user-space share once
/// accepted (a thread and its stack, for the threads engine): the ramp verdict counts them in advance,
/// so stopping the ramp in time does not overshoot into the reserve. So does the fall itself: a server that
/// accepts as fast as the client connects and pays a thread for each (the Rust reference: ~0.65 GiB/s at
/// 30,000 connects/s) goes from the reserve to nothing in a few seconds, so the ramp verdict also subtracts
/// what the last second's rate of fall would take over the next <see cref="FallHorizonSeconds"/>.
/// </summary>
/// <param name="seconds">The clock the fall rate is measured on (seconds, any origin); a monotonic one by default.</param>
internal sealed class MemoryWatchdog(Func<long?> memAvailable, long reserveBytes, Func<double>? seconds = null)
{
    /// <summary>How far ahead the ramp verdict projects the current rate of fall.</summary>
    public const double FallHorizonSeconds = 3;

    private readonly Func<double> _seconds = seconds ?? MonotonicSeconds;
    private (double At, long Bytes)? _anchor;
    private double _fallPerSecond;

    /// <summary>What a connection still costs once a server accepts it (user space, and a thread's kernel stack).</summary>
    public static double AcceptCost(string engine) => engine switch
    {
        "threads" => 48 * 1024, // measured at 379K: ~17.5 KB user + 16 KB kernel stack + task structs and slab; 40 KB left the machine at 1.6 GiB
        "async" => 4 * 1024,
        // A thread per connection too: held at 224K, 9.5 KB user + 16.9 KB kernel. (70 KB, from a ramp whose count of
        // held connections lagged by seconds, stopped that ramp with 14 GiB still free.)
        "rust" => 40 * 1024,
        _ => 512,
    };

    public long ReserveBytes { get; } = reserveBytes;
    public long EmergencyBytes => ReserveBytes / 2;

    /// <summary>The lowest MemAvailable seen so far (null before the first reading).</summary>
    public long? LowestBytes { get; private set; }

    /// <summary>Why the last non-fine verdict was given, in words for the report.</summary>
    public string Reason { get; private set; } = "";

    public static MemoryWatchdog System(long reserveBytes) => new(() => MemInfo.AvailableBytes(), reserveBytes);

    /// <param name="pendingConnections">Connections the client holds or is still opening that no server holds yet.</param>
    /// <param name="acceptCost">Bytes each of those will still take once accepted.</param>
    public MemoryVerdict Check(long pendingConnections = 0, double acceptCost = 0)
    {
        if (memAvailable() is not { } available) return MemoryVerdict.Fine;
        if (LowestBytes is null || available < LowestBytes) LowestBytes = available;
        MeasureFall(available);
        if (available < EmergencyBytes)
        {
            Reason = F($"memory: MemAvailable {Gb(available)} fell below {Gb(EmergencyBytes)} (half the {Gb(ReserveBytes)} reserve)");
            return MemoryVerdict.Emergency;
        }
        long pending = Math.Max(0, pendingConnections);
        long projected = available - (long)(pending * acceptCost);
        long falling = (long)(_fallPerSecond * FallHorizonSeconds);
        if (falling > 0 && projected - falling < ReserveBytes && projected >= ReserveBytes)
        {
            Reason = Reading(available, pending, projected) + (pending > 0 && projected < available ? ", " : " ") +
                     F($"falling {Gb((long)_fallPerSecond)}/s, below the {Gb(ReserveBytes)} reserve within {FallHorizonSeconds:0} s at that rate");
            return MemoryVerdict.StopRamp;
        }
        if (projected < ReserveBytes)
        {
            Reason = Reading(available, pending, projected) + (pending > 0 && projected < available ? ", " : " ") +
                     F($"below the {Gb(ReserveBytes)} reserve");
            return MemoryVerdict.StopRamp;
        }
        return MemoryVerdict.Fine;
    }

    /// <summary>MemAvailable, and what it comes to once the queue still to be accepted is, when that is part of the reason.</summary>
    private static string Reading(long available, long pending, long projected) =>
        pending > 0 && projected < available
            ? F($"memory: MemAvailable {Gb(available)}, {Gb(projected)} once the {pending:N0} connections still queued or connecting are accepted")
            : F($"memory: MemAvailable {Gb(available)}");

    /// <summary>The rate of fall over the last second or more of readings (0 while MemAvailable holds or rises).</summary>
    private void MeasureFall(long available)
    {
        double now = _seconds();
        if (_anchor is not { } a) { _anchor = (now, available); return; }
        double elapsed = now - a.At;
        if (elapsed < 1) return;
        _fallPerSecond = Math.Max(0, (a.Bytes - available) / elapsed);
        _anchor = (now, available);
    }

    private static double MonotonicSeconds() => global::System.Diagnostics.Stopwatch.GetTimestamp() / (double)global::System.Diagnostics.Stopwatch.Frequency;

    public static string Gb(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB";
}
