namespace Shootout.TestSupport;

/// <summary>The repository root (where Shootout.sln is) and the executables `make build` publishes into bin/.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>A path below the repository root.</summary>
    public static string File(string relative) => Path.Combine(Root, relative);

    /// <summary>bin/<paramref name="name"/>, published by `make build` (make test runs it first).</summary>
    public static string Built(string name)
    {
        string path = Path.Combine(Root, "bin", name);
        return System.IO.File.Exists(path) ? path : throw new FileNotFoundException($"{path} not found: run `make build` first (make test does)");
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Shootout.sln")))
                return dir.FullName;
        throw new DirectoryNotFoundException("Shootout.sln not found above " + AppContext.BaseDirectory);
    }
}
