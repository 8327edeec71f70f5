using Shootout.Runner.Processes;

namespace Shootout.Runner.Run;

/// <summary>
/// The reference servers a run may measure beside the engines (--references): the same echo in C (epoll),
/// Go (a goroutine per connection) and Rust (a std::thread per connection), built by `make references`
/// into bin/references/. One that is not there is skipped with the reason its build left.
/// </summary>
internal static class References
{
    public static readonly (string Name, string Binary, string What)[] Known =
    [
        ("c", "c-epoll-echo", "C, epoll, a thread per core"),
        ("go", "go-echo", "Go, a goroutine per connection"),
        ("rust", "rust-echo", "Rust, a std::thread per connection"),
    ];

    public static IReadOnlyList<string> Names => Known.Select(k => k.Name).ToArray();

    /// <summary>The launches for <paramref name="names"/> found in <paramref name="dir"/>, and a line for each one skipped.</summary>
    public static (IReadOnlyList<ReferenceLaunch> Launches, IReadOnlyDictionary<string, string> Skipped) Find(string dir, IEnumerable<string> names)
    {
        var launches = new List<ReferenceLaunch>();
        var skipped = new Dictionary<string, string>();
        foreach (var name in names)
        {
            var known = Known.Single(k => k.Name == name);
            string path = Path.Combine(dir, known.Binary);
            if (File.Exists(path))
            {
                launches.Add(new ReferenceLaunch(name, path));
                continue;
            }
            string reasonFile = Path.Combine(dir, name + ".skipped");
            string why = File.Exists(reasonFile) ? File.ReadAllText(reasonFile).Trim() : $"{path} is not built (make references)";
            skipped[name] = why;
        }
        return (launches, skipped);
    }
}
