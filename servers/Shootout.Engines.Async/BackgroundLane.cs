using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>
/// Where a connection goes when it has used up its turn: threads of the lane's own, in the kernel's idle
/// scheduling class, taking the connections in the order they came.
/// </summary>
/// <remarks>
/// Why a class of their own and not only a queue: with a busy connection's echo on the thread pool, the
/// socket engine's threads, which serve every light connection inline, competed for the cores with it as
/// equals. A light client's echo then waited for the kernel to take the core from a busy connection's send,
/// which on this machine's kernel (no preemption in the kernel, a 4 ms tick) took milliseconds: beside
/// 16 floods the light client's p90 was 2-3 ms, its p99 6-8 ms. The idle class is preempted the moment a
/// thread of the normal class wakes, so a light client's echo goes first; a busy connection runs on every
/// core the normal class leaves free. It is not starved when the cores are busy with other work: the kernel
/// still gives the idle class a share (weight 3 against 1,024 for a thread of nice 0), and whenever a busy
/// connection comes back through the socket engine, its next turn runs there, in the normal class.
/// Why not the thread pool in that class: its threads run whatever the process queues, timers and the
/// metrics endpoint included.
/// The threads are background threads and live as long as the process, so a connection that yields while
/// the server stops still gets its turn, and sees its read cancelled.
/// </remarks>
internal sealed class BackgroundLane
{
    private readonly BlockingCollection<Action> _waiting = new(new ConcurrentQueue<Action>());
    private readonly ServerLog _log;
    private int _refusalLogged;

    public BackgroundLane(int threadCount, ServerLog log)
    {
        _log = log;
        for (int i = 0; i < threadCount; i++)
            new Thread(Serve) { IsBackground = true, Name = $"background {i}" }.UnsafeStart(); // no ExecutionContext flows in
    }

    /// <summary>Continues the awaiting method on the lane, behind the connections already waiting there.</summary>
    public LaneAwaitable Yield() => new(this);

    private void Serve()
    {
        if (!SchedulingClass.TryEnterIdle(out int errno) && Interlocked.Exchange(ref _refusalLogged, 1) == 0)
            _log.Warn($"background lane: the idle scheduling class was refused (errno {errno}); busy connections run in the normal class");
        foreach (Action continuation in _waiting.GetConsumingEnumerable())
            continuation();
    }

    internal readonly struct LaneAwaitable(BackgroundLane lane) : ICriticalNotifyCompletion
    {
        public LaneAwaitable GetAwaiter() => this;
        public bool IsCompleted => false;
        public void GetResult() { }

        public void OnCompleted(Action continuation)
        {
            var context = ExecutionContext.Capture();
            lane._waiting.Add(context is null ? continuation : () => ExecutionContext.Run(context, static c => ((Action)c!)(), continuation));
        }

        // Async methods flow their own execution context: nothing to capture here.
        public void UnsafeOnCompleted(Action continuation) => lane._waiting.Add(continuation);
    }
}
