using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Shootout.Fibers;

/// <summary>
/// A connection's read or write, awaited in a fiber: completes with a byte count (0 for a read at end
/// of stream) or throws. Await it once, as with a ValueTask (it converts to one implicitly, for code
/// that needs a ValueTask&lt;int&gt;). Its own awaitable rather than a ValueTask so that a
/// <see cref="Fiber"/> can park its state machine on the operation's source without a delegate.
/// </summary>
/// <remarks>
/// The source is any <see cref="IValueTaskSource{TResult}"/> of int (an <see cref="OperationSource"/>: the netpoller's
/// connection, the io_uring engine's), so every event loop that runs fibers parks them the same way.
/// </remarks>
public readonly struct NetOperation : ICriticalNotifyCompletion
{
    private readonly IValueTaskSource<int>? _source; // null: completed at once with _result
    private readonly int _result;
    private readonly short _version;

    /// <summary>An operation that completed at once with <paramref name="result"/>.</summary>
    public NetOperation(int result) => _result = result;

    /// <summary>A pending operation of <paramref name="source"/>, identified by its <paramref name="version"/> token.</summary>
    public NetOperation(IValueTaskSource<int> source, short version)
    {
        _source = source;
        _version = version;
    }

    public NetOperation GetAwaiter() => this;

    public bool IsCompleted => _source is null || _source.GetStatus(_version) != ValueTaskSourceStatus.Pending;

    public int GetResult() => _source is null ? _result : _source.GetResult(_version);

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Continuations run inline on the loop thread; there is no context to flow into it.</summary>
    public void UnsafeOnCompleted(Action continuation) =>
        _source!.OnCompleted(static action => ((Action)action!).Invoke(), continuation, _version, ValueTaskSourceOnCompletedFlags.None);

    /// <summary>Parks a fiber's boxed state machine: resumed by calling its MoveNext, no delegate needed.</summary>
    internal void Park(IAsyncStateMachine fiber) =>
        _source!.OnCompleted(ParkedContinuation.ResumeFiber, fiber, _version, ValueTaskSourceOnCompletedFlags.None);

    public ValueTask<int> AsValueTask() => _source is null ? new ValueTask<int>(_result) : new ValueTask<int>(_source, _version);

    public static implicit operator ValueTask<int>(NetOperation operation) => operation.AsValueTask();
}
