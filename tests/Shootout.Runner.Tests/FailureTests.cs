namespace Shootout.Runner.Tests;

/// <summary>An engine that fails is reported with its reason; the run goes on and exits 1 at the end.</summary>
public sealed class FailureTests
{
    [Fact]
    public void An_engine_that_cannot_hold_the_connections_fails_with_the_reason()
    {
        // The server itself refuses connections past 100: the engine cannot reach 300.
        var run = RunnerProcess.Run(TimeSpan.FromMinutes(2),
            [.. RunnerProcess.Tiny, "--engines", "epoll", "--server-args", "--max-connections 100", "--ramp-stall", "2s", "--no-prometheus"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        var epoll = run.Summary["engines"]!["epoll"]!;
        Assert.Equal("failed", epoll["status"]!.GetValue<string>());
        Assert.Contains("held 100 of 300", epoll["error"]!.GetValue<string>());
        Assert.Equal(100, epoll["connections_held"]!.GetValue<long>());
        Assert.Equal("failed", run.Summary["status"]!.GetValue<string>());
        Assert.Contains("engine epoll failed: held 100 of 300", run.Stderr);
        Assert.Contains("FAILED: held 100 of 300", File.ReadAllText(Path.Combine(run.RunDir, "report.md")));
        Assert.Contains("FAILED: held 100 of 300", File.ReadAllText(Path.Combine(run.RunDir, "report.html")));
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void A_crashing_engine_is_reported_and_the_next_engine_is_still_measured()
    {
        // A stand-in server executable: the threads engine dies at start, any other runs the real server.
        string dir = Directory.CreateTempSubdirectory("runner-test-server-").FullName;
        string wrapper = Path.Combine(dir, "shootout-server");
        File.WriteAllText(wrapper,
            "#!/bin/sh\n" +
            "case \" $* \" in *\" --engine threads \"*) echo 'out of luck' >&2; exit 3 ;; esac\n" +
            $"exec '{Path.Combine(RunnerProcess.Bin, "shootout-server")}' \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var run = RunnerProcess.Run(TimeSpan.FromMinutes(2),
            [.. RunnerProcess.Tiny, "--engines", "threads,epoll", "--server", wrapper, "--no-prometheus"]);

        Assert.True(run.ExitCode == 1, run.ToString());
        var engines = run.Summary["engines"]!;
        Assert.Equal("failed", engines["threads"]!["status"]!.GetValue<string>());
        string error = engines["threads"]!["error"]!.GetValue<string>();
        Assert.Contains("exited with code 3", error);
        Assert.Contains("out of luck", error);
        Assert.Equal("ok", engines["epoll"]!["status"]!.GetValue<string>());
        Assert.Equal(300, engines["epoll"]!["connections_held"]!.GetValue<long>());
        Assert.True(engines["epoll"]!["max_msgs_per_s"]!.GetValue<double>() > 0);
    }
}
