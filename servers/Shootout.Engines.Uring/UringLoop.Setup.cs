using Shootout.Engines.Uring.Interop;

namespace Shootout.Engines.Uring;

/// <summary>Creating the loop's ring with the features asked for, and saying which ones the kernel gave.</summary>
internal sealed unsafe partial class UringLoop
{
    private void Setup()
    {
        RingFeatures features = _settings.Features;
        uint flags = IoUring.SetupSubmitAll;
        if (features.DeferTaskrun)
            flags |= IoUring.SetupSingleIssuer | IoUring.SetupDeferTaskrun;
        _ring = Ring.Create(_settings.RingEntries, _settings.RingEntries * 4, flags);
        var parts = new List<string> { $"{_settings.RingEntries} SQEs" };
        if (features.DeferTaskrun)
            parts.Add("single-issuer+defer-taskrun");
        if (features.RegisteredRingFd)
            parts.Add(_ring.RegisterRingFd() ? "registered ring fd" : "ring fd not registered (kernel < 5.18)");
        if (features.ProvidedBuffers)
        {
            Buffers = BufferRing.TryRegister(_ring, _settings.BufferCount, _settings.BufferSize, out int errno);
            parts.Add(Buffers is null
                ? $"no provided buffers (errno {errno}): a buffer per connection"
                : $"{_settings.BufferCount}x{_settings.BufferSize / 1024} KiB provided buffers");
        }
        if (features.MultishotAccept)
            parts.Add("multishot accept");
        if (features.MultishotReceive && Buffers is not null)
        {
            // No feature bit says so: IORING_RECV_MULTISHOT came with Linux 6.0 (older kernels fail its SQE with EINVAL).
            MultishotReceives = Environment.OSVersion.Version >= new Version(6, 0);
            parts.Add(MultishotReceives ? "multishot receives" : "no multishot receive (kernel < 6.0)");
        }
        if (features.SkipSendCompletions && MultishotReceives)
        {
            // Needs the multishot receive: a send's success is learnt only at the loop's next wake-up, and with the
            // receive armed the fiber has nothing to queue in between (see UringLoop.SendConfirmations.cs).
            SkipsSendCompletions = true;
            parts.Add("sends without a CQE on success");
        }
        if (features.ReceivePollFirst)
            parts.Add("poll-first receives");
        Description = string.Join(", ", parts);

        SetupWake();
    }
}
