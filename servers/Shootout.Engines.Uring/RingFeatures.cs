namespace Shootout.Engines.Uring;

/// <summary>
/// The ring features the engine uses, each of which can be switched off to measure what it buys:
/// SHOOTOUT_URING_FEATURES="-defer-taskrun,-ring-fd" (names as in <see cref="Names"/>; a leading '-'
/// turns one off). All on by default.
/// </summary>
internal sealed record RingFeatures
{
    public const string EnvironmentVariable = "SHOOTOUT_URING_FEATURES";

    /// <summary>
    /// IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN: completions are run by the loop thread when it enters,
    /// not by interrupts at any time.
    /// </summary>
    public bool DeferTaskrun { get; init; } = true;

    /// <summary>IORING_REGISTER_RING_FDS: io_uring_enter skips the descriptor-table lookup.</summary>
    public bool RegisteredRingFd { get; init; } = true;

    /// <summary>One accept request that posts a completion per connection, instead of one request per connection.</summary>
    public bool MultishotAccept { get; init; } = true;

    /// <summary>Receives pick a buffer from a provided-buffer ring at completion; off: each connection owns a receive buffer.</summary>
    public bool ProvidedBuffers { get; init; } = true;

    /// <summary>
    /// IORING_RECVSEND_POLL_FIRST on the echo's receives: a receive is queued right after the echo went out, when
    /// the client cannot have answered yet, so the kernel's first non-blocking try would fail with EAGAIN; skip it.
    /// </summary>
    public bool ReceivePollFirst { get; init; } = true;

    /// <summary>
    /// IORING_RECV_MULTISHOT (with provided buffers, kernel 6.0+): one receive armed per connection, a CQE per arrival,
    /// instead of a receive SQE and a poll arm per message.
    /// </summary>
    public bool MultishotReceive { get; init; } = true;

    /// <summary>
    /// IOSQE_CQE_SKIP_SUCCESS on the echo's sends (with MSG_DONTWAIT | MSG_WAITALL, and multishot receive): a send that
    /// took every byte during the enter that submitted it posts no completion, so that enter goes on to wait for the next
    /// arrival instead of returning with the send's CQE. One CQE and one enter per echoed message instead of two.
    /// </summary>
    public bool SkipSendCompletions { get; init; } = true;

    public static readonly IReadOnlyList<string> Names =
        ["defer-taskrun", "ring-fd", "multishot-accept", "provided-buffers", "poll-first", "multishot-receive", "send-cqe-skip"];

    /// <summary>Parses "-name,+name,..." over the defaults; an unknown name is an error naming the known ones.</summary>
    public static RingFeatures Parse(string? text)
    {
        var features = new RingFeatures();
        if (string.IsNullOrWhiteSpace(text))
            return features;
        foreach (string raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            bool on = raw[0] != '-';
            string name = raw.TrimStart('-', '+');
            features = name switch
            {
                "defer-taskrun" => features with { DeferTaskrun = on },
                "ring-fd" => features with { RegisteredRingFd = on },
                "multishot-accept" => features with { MultishotAccept = on },
                "provided-buffers" => features with { ProvidedBuffers = on },
                "poll-first" => features with { ReceivePollFirst = on },
                "multishot-receive" => features with { MultishotReceive = on },
                "send-cqe-skip" => features with { SkipSendCompletions = on },
                _ => throw new ArgumentException($"{EnvironmentVariable}: unknown feature '{name}' (known: {string.Join(", ", Names)})"),
            };
        }
        return features;
    }
}
