namespace Shootout.Runner.Run;

/// <summary>What a row of the shootout or the bench is: one of this project's engines, a reference server (--references),
/// someone else's echo server (--contender), or the same engine of a baseline build (bench --baseline). Measured alike;
/// reported in their own sections.</summary>
internal enum RowKind
{
    Engine,
    Reference,
    Contender,
    Baseline,
}

internal static class RowKinds
{
    /// <summary>"engine", "reference", "contender" or "baseline", as progress lines, errors and summary.json name a row's kind.</summary>
    public static string Name(this RowKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A row's name in tables, charts and progress lines: a reference or a contender says so.</summary>
    public static string Label(this RowKind kind, string name) => kind == RowKind.Engine ? name : $"{name} ({kind.Name()})";
}
