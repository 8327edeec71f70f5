using System.Text.RegularExpressions;
using Xunit;

namespace Shootout.LoadGen.Tests;

/// <summary>
/// The load generator's namespaces form a tree (options → plan → engine → stats → results → reports; hints and
/// thresholds read results): read off the <c>using</c> directives of every source file, the graph of namespaces
/// has no cycle. A cycle fails naming every namespace on it and a file of each edge.
/// </summary>
public sealed partial class NamespaceTreeTests
{
    private const string Root = "Shootout.LoadGen";

    [GeneratedRegex(@"^namespace\s+(Shootout\.LoadGen(?:\.\w+)*)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    [GeneratedRegex(@"^using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Shootout\.LoadGen(?:\.\w+)*)", RegexOptions.Multiline)]
    private static partial Regex Using();

    /// <summary>Namespace → the namespaces its files import, with one file per edge (for the message).</summary>
    private static Dictionary<string, Dictionary<string, string>> Graph()
    {
        string dir = Path.Combine(LoadGenProcess.RepoRoot, "loadgen", "Shootout.LoadGen");
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(dir, file);
            if (relative.StartsWith("obj", StringComparison.Ordinal) || relative.StartsWith("bin", StringComparison.Ordinal)) continue;
            string text = File.ReadAllText(file);
            string ns = Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : Root;
            var edges = graph.TryGetValue(ns, out var e) ? e : graph[ns] = new();
            foreach (Match u in Using().Matches(text))
            {
                // A type alias names a type: its namespace is everything before the type's name.
                string target = u.Groups[1].Value;
                if (u.Value.Contains('=')) target = target[..target.LastIndexOf('.')];
                if (target != ns) edges.TryAdd(target, relative);
            }
        }
        return graph;
    }

    /// <summary>The first cycle a depth-first walk meets, as "A → B (file) → … → A", or null.</summary>
    private static string? FindCycle(Dictionary<string, Dictionary<string, string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 on the path, 2 done
        var path = new List<string>();
        string? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var (next, file) in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    var cycle = path.Skip(path.IndexOf(next)).Append(next).ToList();
                    return string.Join(" → ", cycle.Select((n, i) => i == 0 ? n : $"{n} ({graph[cycle[i - 1]][n]})"));
                }
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found) return found;
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
        foreach (var node in graph.Keys.Order())
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } found) return found;
        return null;
    }

    [Fact]
    public void The_namespaces_form_a_tree()
    {
        var graph = Graph();
        Assert.True(graph.Count >= 8, $"read only {graph.Count} namespaces: {string.Join(", ", graph.Keys)}");
        Assert.Null(FindCycle(graph));
    }

    [Fact]
    public void A_cycle_is_found_and_named()
    {
        var graph = new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "a.cs" },
            ["B"] = new() { ["C"] = "b.cs" },
            ["C"] = new() { ["A"] = "c.cs" },
        };
        Assert.Equal("A → B (a.cs) → C (b.cs) → A (c.cs)", FindCycle(graph));
        graph["C"].Clear();
        Assert.Null(FindCycle(graph));
    }
}
