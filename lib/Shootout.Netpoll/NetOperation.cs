using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Shootout.Netpoll;

/// <summary>
/// A connection's read or write, awaited in a fiber: completes with a byte count (0 for a read at end
/// of stream) or throws. Await it once, as with a ValueTask (it converts to one implicitly, for code
/// that needs a ValueTask&lt;int&gt;). Its own awaitable rather than a ValueTask so that a
/// <see cref="Fiber"/> can park its state machine on the connection without a delegate.
/// </summary>
public readonly struct NetOperation : ICriticalNotifyCompletion
{
    private readonly NetConnection? _connection; // null: completed at once with _result
    private readonly int _result;
    private readonly short _version;

    internal NetOperation(int result) => _result = result;

    internal NetOperation(NetConnection connection, short version)
    {
        _connection = connection;
        _version = version;
    }

    public NetOperation GetAwaiter() => this;

    public bool IsCompleted => _connection is null || _connection.GetStatus(_version) != ValueTaskSourceStatus.Pending;

    public int GetResult() => _connection is null ? _result : _connection.GetResult(_version);

    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Continuations run inline on the loop thread; there is no context to flow into it.</summary>
    public void UnsafeOnCompleted(Action continuation) =>
        _connection!.OnCompleted(static action => ((Action)action!).Invoke(), continuation, _version);

    /// <summary>Parks a fiber's boxed state machine: resumed by calling its MoveNext, no delegate needed.</summary>
    internal void Park(IAsyncStateMachine fiber) =>
        _connection!.OnCompleted(static box => ((IAsyncStateMachine)box!).MoveNext(), fiber, _version);

    public ValueTask<int> AsValueTask() => _connection is null ? new ValueTask<int>(_result) : new ValueTask<int>(_connection, _version);

    public static implicit operator ValueTask<int>(NetOperation operation) => operation.AsValueTask();
}
