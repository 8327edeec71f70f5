namespace Shootout.Runner.Tests;

/// <summary>A tiny run with the reference servers beside one engine (--references c,go,rust).</summary>
public sealed class ReferenceRunFixture : IDisposable
{
    private readonly ReferenceServers _servers = new();

    internal RunnerProcess.Result Run { get; }
    internal RunnerProcess.Result Skipping { get; }

    public ReferenceRunFixture()
    {
        Run = RunnerProcess.Run(TimeSpan.FromMinutes(3),
            [.. RunnerProcess.Tiny, "--no-prometheus", "--engines", "epoll", "--references", "c,go,rust", "--references-dir", _servers.Dir]);
        // A directory where nothing was built, and one build that left its reason.
        string empty = Directory.CreateTempSubdirectory("reference-servers-none-").FullName;
        File.WriteAllText(Path.Combine(empty, "go.skipped"), "go is not installed (apt-get install golang-go)\n");
        Skipping = RunnerProcess.Run(TimeSpan.FromMinutes(2),
            [.. RunnerProcess.Tiny, "--no-prometheus", "--engines", "epoll", "--references", "go,rust", "--references-dir", empty]);
        Directory.Delete(empty, recursive: true);
    }

    public void Dispose() => _servers.Dispose();
}

public sealed class ReferenceRowsTests(ReferenceRunFixture fixture) : IClassFixture<ReferenceRunFixture>
{
    [Fact]
    public void Each_reference_is_measured_as_the_engines_are_and_lands_under_references_in_summary_json()
    {
        var run = fixture.Run;
        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = run.Summary;
        Assert.Equal(["epoll"], summary["engines"]!.AsObject().Select(kv => kv.Key));
        var references = summary["references"]!.AsObject();
        Assert.Equal(ReferenceServers.Names, references.Select(kv => kv.Key));
        var engineFields = summary["engines"]!["epoll"]!.AsObject().Select(kv => kv.Key).ToList();
        foreach (var (name, node) in references)
        {
            var r = node!;
            Assert.True(r["status"]!.GetValue<string>() == "ok", $"{name}: {r["error"]}");
            Assert.Equal(engineFields, r.AsObject().Select(kv => kv.Key));
            Assert.Equal(300, r["connections_held"]!.GetValue<long>());
            Assert.True(r["connect_rate_per_s"]!.GetValue<double>() > 0, name);
            Assert.NotNull(r["user_bytes_per_connection"]);
            Assert.True(r["threads"]!.GetValue<int>() > 0, name);
            Assert.NotNull(r["cpu_user_seconds"]);
            Assert.True(r["echo"]!["rate_achieved"]!.GetValue<double>() > 0, name);
            Assert.True(r["echo"]!["latency_us"]!["p99"]!.GetValue<double>() > 0, name);
            Assert.True(r["max_msgs_per_s"]!.GetValue<double>() > 0, name);
            Assert.True(r["stopped_cleanly"]!.GetValue<bool>(), name);
        }
        // Rust runs a thread per connection; Go multiplexes goroutines on a few threads; C one per core.
        Assert.True(references["rust"]!["threads"]!.GetValue<int>() >= 300);
        Assert.True(references["go"]!["threads"]!.GetValue<int>() < 100);
        Assert.True(references["c"]!["threads"]!.GetValue<int>() <= Environment.ProcessorCount + 1);
        // A goroutine's stack and buffer are measured: more than nothing per connection.
        Assert.True(references["go"]!["user_bytes_per_connection"]!.GetValue<double>() > 500);
    }

    [Fact]
    public void The_tables_show_the_reference_rows_beside_the_quoted_figures()
    {
        var run = fixture.Run;
        foreach (var name in ReferenceServers.Names) Assert.Contains($"{name} (reference)", run.Stdout);
        // The quoted figures stay beside them as a line labelled as quotes, and dashed lines across the memory chart.
        Assert.Contains("Quoted by the project's question, not measured here", File.ReadAllText(Path.Combine(run.RunDir, "report.md")));
        Assert.Contains("not measured here: Rust threads 8.5 KB per thread", File.ReadAllText(Path.Combine(run.RunDir, "report.html")));
        Assert.Contains("Rust threads 8.5 KB (quoted)", File.ReadAllText(Path.Combine(run.RunDir, "report.html")));
        var md = File.ReadAllText(Path.Combine(run.RunDir, "report.md"));
        foreach (var name in ReferenceServers.Names) Assert.Matches($@"\| {name} \(reference\) \| 300 \| ", md);
        var html = File.ReadAllText(Path.Combine(run.RunDir, "report.html"));
        foreach (var name in ReferenceServers.Names) Assert.Contains($"data-reference=\"{name}\"", html);
    }

    [Fact]
    public void A_reference_that_is_not_built_is_skipped_with_a_line_saying_why()
    {
        var run = fixture.Skipping;
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("reference go skipped: go is not installed (apt-get install golang-go)", run.Stdout);
        Assert.Contains("reference rust skipped:", run.Stdout);
        var references = run.Summary["references"]!;
        Assert.Equal("skipped", references["go"]!["status"]!.GetValue<string>());
        Assert.Contains("golang-go", references["go"]!["error"]!.GetValue<string>());
        Assert.Equal("skipped", references["rust"]!["status"]!.GetValue<string>());
        Assert.Contains("reference go skipped", File.ReadAllText(Path.Combine(run.RunDir, "report.md")));
    }
}
