using System.Runtime.CompilerServices;

namespace Shootout.Fibers;

/// <summary>
/// The return type of a fire-and-forget fiber: <c>async Fiber EchoAsync(NetConnection c)</c>. Nothing can
/// await it; it runs on its loop thread until it ends. What it buys is memory: a parked
/// <c>async Task</c> keeps a Task-derived box (~120 B for an echo loop); a parked fiber keeps only
/// its state machine in a small box, and a <see cref="NetOperation"/> parks that box with no
/// delegate. With a million idle connections, each parked in one await, that difference is the
/// largest part of what a connection costs in user space.
/// </summary>
/// <remarks>
/// Unlike Task-based async, a fiber does not capture or restore the ExecutionContext (AsyncLocal
/// values do not flow through it) and ignores SynchronizationContext: it only ever runs on its
/// event loop's thread. An exception that escapes a fiber is given to its loop's
/// <see cref="LoopThread.ReportError"/>; the fiber ends, the loop goes on.
/// </remarks>
[AsyncMethodBuilder(typeof(FiberMethodBuilder))]
public readonly struct Fiber;

/// <summary>The compiler's builder for <see cref="Fiber"/> methods (not called directly).</summary>
public struct FiberMethodBuilder
{
    /// <summary>The boxed state machine, once the fiber has parked for the first time.</summary>
    private IAsyncStateMachine? _box;

    public static FiberMethodBuilder Create() => default;

    public readonly Fiber Task => default;

    public void Start<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine =>
        stateMachine.MoveNext(); // runs on the caller's (the loop's) thread up to its first park

    public readonly void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    public readonly void SetResult()
    {
    }

    public readonly void SetException(Exception exception)
    {
        if (LoopThread.Current is not { } loop)
            throw new InvalidOperationException("a fiber ran outside its event loop", exception);
        loop.ReportError(exception);
    }

    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion where TStateMachine : IAsyncStateMachine =>
        awaiter.OnCompleted(Box(ref stateMachine).MoveNext);

    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion where TStateMachine : IAsyncStateMachine
    {
        IAsyncStateMachine box = Box(ref stateMachine);
        // The JIT folds this test away per awaiter type: a netpoll operation parks the box itself; any
        // other awaitable gets a delegate (allocated per such await, so keep them off the idle path).
        if (typeof(TAwaiter) == typeof(NetOperation))
            Unsafe.As<TAwaiter, NetOperation>(ref awaiter).Park(box);
        else
            awaiter.UnsafeOnCompleted(box.MoveNext);
    }

    private IAsyncStateMachine Box<TStateMachine>(ref TStateMachine stateMachine) where TStateMachine : IAsyncStateMachine
    {
        if (_box is { } box)
            return box;
        var created = new FiberBox<TStateMachine>();
        _box = created;                       // first, so the copy below carries the builder that knows its box
        created.StateMachine = stateMachine;  // from now on the fiber lives in the box, not on the stack
        return created;
    }

    private sealed class FiberBox<TStateMachine> : IAsyncStateMachine where TStateMachine : IAsyncStateMachine
    {
        public TStateMachine StateMachine = default!;

        public void MoveNext() => StateMachine.MoveNext();

        public void SetStateMachine(IAsyncStateMachine stateMachine)
        {
        }
    }
}
