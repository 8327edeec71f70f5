namespace Shootout.Runner.Run;

/// <summary>
/// What one echoed message cost the server processes, the question's <c>/usr/bin/time</c> figures made per
/// message: CPU split user / system, syscalls and context switches, all from the server processes' own
/// counters over an echo phase, net of the same processes over an equal idle window just before it (so
/// timers, scrapes and GC at rest are not charged per message).
/// </summary>
/// <param name="Phase">The phase measured: "rate" (the open-model rate every row sustains) or "closed" (the closed-loop maximum).</param>
/// <param name="Messages">Messages echoed in the phase.</param>
/// <param name="MessagesPerSecond">Their rate over the phase.</param>
/// <param name="UserMicros">Server user CPU per message, µs.</param>
/// <param name="SystemMicros">Server system (kernel) CPU per message, µs.</param>
/// <param name="Syscalls">Syscalls per message, or null where they could not be counted.</param>
/// <param name="VoluntarySwitches">Voluntary context switches per message (the server blocked).</param>
/// <param name="InvoluntarySwitches">Involuntary context switches per message (the server was preempted).</param>
internal sealed record MessageCost(
    string Phase,
    long Messages,
    double MessagesPerSecond,
    double UserMicros,
    double SystemMicros,
    double? Syscalls,
    double VoluntarySwitches,
    double InvoluntarySwitches)
{
    public double CpuMicros => UserMicros + SystemMicros;
}

/// <summary>How busy the load generator was in one phase: its CPU time over the phase, as a share of the CPUs it may use.</summary>
/// <param name="Phase">"ramp", "echo", "closed", "neighbours".</param>
/// <param name="Share">0..1 of its CPUs; ≥ 0.9 means a throughput taken then is the generator's limit, a lower bound for the server.</param>
/// <param name="Cpus">How many CPUs it had.</param>
internal sealed record GeneratorCpu(string Phase, double Share, int Cpus)
{
    public const double Saturated = 0.9;

    public bool IsSaturated => Share >= Saturated;
}
