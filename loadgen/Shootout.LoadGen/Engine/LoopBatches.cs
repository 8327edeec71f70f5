using Shootout.Netpoll;

namespace Shootout.LoadGen.Engine;

/// <summary>
/// What the pacer hands to each loop in one turn, new connections, gathered per loop and posted as one batch
/// each, so a turn costs one post per loop however many it started. (Scheduled messages need no hand-over:
/// each loop keeps its own schedule, <see cref="LoopSender"/>.) Pacer thread only.
/// </summary>
internal sealed class LoopBatches(EventLoopGroup group, ConnectionRunner runner)
{
    private List<Slot>[] _starts = Enumerable.Range(0, group.Loops.Count).Select(_ => new List<Slot>()).ToArray();

    public int Count => _starts.Length;

    public void Start(int loop, Slot slot) => _starts[loop].Add(slot);

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
        }
    }
}
