namespace Shootout.LoadGen.Plan;

/// <summary>The load simulations of NBomber's vocabulary, run one after another.</summary>
internal enum PhaseKind
{
    /// <summary>Ramp the number of open connections (closed loops) linearly to <c>Copies</c>.</summary>
    RampingConstant,
    /// <summary>Hold <c>Copies</c> connections (closed loops).</summary>
    KeepConstant,
    /// <summary>Send <c>Rate</c> messages per <c>Interval</c> (open model).</summary>
    Inject,
    /// <summary>Ramp the injection rate linearly to <c>Rate</c> per <c>Interval</c> (open model).</summary>
    RampingInject,
    /// <summary>Send nothing for a while; connections stay open.</summary>
    Pause,
}

/// <param name="Value">Copies (connections) for the Constant kinds, messages per interval for the Inject kinds.</param>
internal sealed record LoadPhase(PhaseKind Kind, double Value, TimeSpan Interval, TimeSpan During)
{
    public bool IsInjection => Kind is PhaseKind.Inject or PhaseKind.RampingInject;
    public bool IsConstant => Kind is PhaseKind.KeepConstant or PhaseKind.RampingConstant;

    /// <summary>Messages per second for the Inject kinds.</summary>
    public double RatePerSecond => Value / Interval.TotalSeconds;
}
