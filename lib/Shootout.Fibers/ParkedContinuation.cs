using System.Runtime.CompilerServices;

namespace Shootout.Fibers;

/// <summary>
/// What a parked fiber leaves behind: the continuation its await registered, kept until the
/// awaited thing happens, then run once, inline, on the loop thread. Shared by every awaitable here
/// (connections, sleeps, signals).
/// </summary>
/// <remarks>
/// One reference, not a (delegate, state) pair: every idle connection holds one of these, parked. A fiber's
/// await (<see cref="NetOperation"/>) parks its state machine's box itself, resumed by its MoveNext; any other
/// awaiter's (delegate, state) goes into a <see cref="DelegateContinuation"/> allocated once and reused for
/// that awaitable's later awaits. So an idle fiber connection pays 8 bytes here instead of 16.
/// </remarks>
public struct ParkedContinuation
{
    /// <summary>The continuation <see cref="NetOperation"/> parks a fiber with: its state is the fiber's box.</summary>
    internal static readonly Action<object?> ResumeFiber = static box => ((IAsyncStateMachine)box!).MoveNext();

    // null: nothing parked. A DelegateContinuation: an awaiter's continuation, armed or already run. Anything
    // else: a parked fiber's box (an IAsyncStateMachine).
    private object? _parked;

    public readonly bool IsParked => _parked is not null && (_parked is not DelegateContinuation other || other.IsArmed);

    public void Park(Action<object?> continuation, object? state)
    {
        if (continuation == ResumeFiber && state is IAsyncStateMachine)
            _parked = state;
        else if (_parked is DelegateContinuation reused)
            reused.Arm(continuation, state);
        else
            _parked = new DelegateContinuation(continuation, state);
    }

    /// <summary>Runs the parked continuation, if any, forgetting it first so it may park again.</summary>
    public void Resume()
    {
        object? parked = _parked;
        if (parked is null)
            return;
        if (parked is DelegateContinuation other)
        {
            other.Run();
            return;
        }
        _parked = null;
        Unsafe.As<IAsyncStateMachine>(parked).MoveNext();
    }

    /// <summary>An awaiter's continuation and its state, for awaits that are not a fiber's <see cref="NetOperation"/>.</summary>
    private sealed class DelegateContinuation(Action<object?> continuation, object? state)
    {
        private Action<object?>? _continuation = continuation;
        private object? _state = state;

        public bool IsArmed => _continuation is not null;

        public void Arm(Action<object?> continuation, object? state)
        {
            _continuation = continuation;
            _state = state;
        }

        /// <summary>Disarms, then runs: the continuation may park again (re-arming this one).</summary>
        public void Run()
        {
            Action<object?>? continuation = _continuation;
            if (continuation is null)
                return;
            object? state = _state;
            _continuation = null;
            _state = null;
            continuation(state);
        }
    }
}
