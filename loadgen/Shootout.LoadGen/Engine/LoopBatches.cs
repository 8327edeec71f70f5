using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// What the pacer hands to each loop in one turn, new connections and scheduled messages, gathered per loop
/// and posted as one batch each, so a turn costs one post per loop however many it started or scheduled.
/// Pacer thread only.
/// </summary>
internal sealed class LoopBatches(EventLoopGroup group, ConnectionRunner runner)
{
    private List<Slot>[] _starts = Enumerable.Range(0, group.Loops.Count).Select(_ => new List<Slot>()).ToArray();
    private List<(Slot Slot, long Scheduled)>[] _messages = Enumerable.Range(0, group.Loops.Count)
        .Select(_ => new List<(Slot, long)>()).ToArray();

    public int Count => _starts.Length;

    public void Start(int loop, Slot slot) => _starts[loop].Add(slot);

    public void Message(Slot slot, long scheduled) => _messages[slot.Loop.Id].Add((slot, scheduled));

    public void Flush()
    {
        for (int i = 0; i < _starts.Length; i++)
        {
            EventLoop loop = group.Loops[i];
            if (_starts[i].Count > 0)
            {
                var batch = _starts[i];
                _starts[i] = new List<Slot>();
                loop.Post(() => { foreach (var s in batch) _ = runner.RunAsync(s); });
            }
            if (_messages[i].Count > 0)
            {
                var batch = _messages[i];
                _messages[i] = new List<(Slot, long)>();
                loop.Post(() => { foreach (var (s, at) in batch) runner.Deliver(s, at); });
            }
        }
    }
}
