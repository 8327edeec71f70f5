namespace Shootout.Engines.Uring;

/// <summary>
/// The echo's sends that post no CQE when they succeed (<see cref="RingFeatures.SkipSendCompletions"/>), and how the
/// loop learns that they did: a send tried during an enter either took every byte or posted a CQE in that enter.
/// </summary>
/// <remarks>
/// <para>Why: with one message per turn, the enter that submits an echo's send asks to wait for a completion, and the
/// send (to a socket with room) completes during the submit, so its own CQE ends the wait at once; a second enter then
/// waits for the next arrival. Without that CQE the one enter submits and waits: one enter and one CQE per message.</para>
/// <para>How the loop knows a send is done with its buffer: its SQE is issued (the kernel's SQ head passed it) and the
/// completions of that turn held no CQE of it. Both are read right after the enter, before anything can enter again;
/// an overflowed CQ (a CQE that did not fit waits in the kernel) postpones every confirmation to a turn without one.</para>
/// <para>What it costs: the fiber learns of its send at the loop's next wake-up, not at once. With the multishot
/// receive armed and nothing waiting behind the send the fiber would only return its buffer and count the echo then,
/// so the loop sleeps as usual, for at most <see cref="ConfirmWithinMs"/>; a connection that has more to do after its
/// send (arrivals or an end of stream waiting, its receive not armed, closed) makes that enter not wait at all.</para>
/// </remarks>
internal sealed partial class UringLoop
{
    /// <summary>
    /// The longest the loop sleeps on sends it has not confirmed: how late an idle connection's last echo is counted and
    /// its buffer returned. Each time it runs out the loop wakes once more than it would have: with 5 ms, one connection at
    /// 100 messages/s woke twice per message (1.995 context switches per message against 1.005 without the feature,
    /// tests/bench/uring-counts.sh --connections 1 --rate 100), so it is long beside the gaps between a busy loop's messages.
    /// </summary>
    private const int ConfirmWithinMs = 100;

    // Sends whose CQE is skipped on success, in SQ order, each with its SQE's position.
    private readonly Queue<(UringConnection Connection, uint Position)> _unconfirmedSends = new();

    private bool HasSendsToConfirm => _unconfirmedSends.Count > 0;

    private void AwaitConfirmation(UringConnection connection, uint position) => _unconfirmedSends.Enqueue((connection, position));

    /// <summary>
    /// How the turn's enter waits while sends are not yet confirmed: not at all when a connection behind one of them has
    /// more to do once it is (so it is not delayed by a sleep), otherwise as asked but for no longer than
    /// <see cref="ConfirmWithinMs"/>.
    /// </summary>
    private (uint MinComplete, int TimeoutMs) WaitBesideSendsToConfirm(uint minComplete, int timeoutMs)
    {
        if (minComplete == 0)
            return (0, timeoutMs);
        foreach ((UringConnection connection, _) in _unconfirmedSends)
        {
            if (connection.HasWorkAfterSend)
                return (0, 0);
        }
        return (minComplete, timeoutMs < 0 ? ConfirmWithinMs : Math.Min(timeoutMs, ConfirmWithinMs));
    }

    /// <summary>Whether one of the first <paramref name="ready"/> completions is an unconfirmed send's: one that did not take every byte.</summary>
    private bool HoldsFailedUnconfirmedSend(uint ready)
    {
        if (!HasSendsToConfirm)
            return false;
        for (uint i = 0; i < ready; i++)
        {
            if (_ring!.PeekUserData(i) >> KindShift == KindUnconfirmedSend)
                return true;
        }
        return false;
    }

    /// <summary>
    /// Every unconfirmed send the kernel issued before <paramref name="issuedUpTo"/> and whose CQE was not among the
    /// turn's completions took all its bytes: its connection completes the send (a send whose CQE was handled already is
    /// no longer unconfirmed and is passed over).
    /// </summary>
    private void ConfirmSends(uint issuedUpTo)
    {
        if (!HasSendsToConfirm || _ring!.CompletionsOverflowed)
            return;
        while (_unconfirmedSends.TryPeek(out var send) && (int)(issuedUpTo - send.Position) > 0)
        {
            _unconfirmedSends.Dequeue();
            try
            {
                send.Connection.OnSendConfirmed();
            }
            catch (Exception e)
            {
                ReportError(e);
            }
        }
    }
}
