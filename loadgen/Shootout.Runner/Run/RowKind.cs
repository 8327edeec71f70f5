namespace Shootout.Runner.Run;

/// <summary>What a row of the shootout is: one of this project's engines, a reference server (--references), or someone
/// else's echo server (--contender). Measured alike; reported in their own sections.</summary>
internal enum RowKind
{
    Engine,
    Reference,
    Contender,
}

internal static class RowKinds
{
    /// <summary>"engine", "reference" or "contender", as the progress lines and errors name a row's kind.</summary>
    public static string Name(this RowKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>A row's name in tables, charts and progress lines: a reference or a contender says so.</summary>
    public static string Label(this RowKind kind, string name) => kind == RowKind.Engine ? name : $"{name} ({kind.Name()})";
}
