using System.Text.RegularExpressions;

namespace Shootout.Infra.Tests;

/// <summary>
/// infra/docker/shootout-drive.sh (the compose stack's load generator) run on the host against a real
/// server: a ramp that cannot reach its target fails the drive, naming the engine and what was held.
/// </summary>
public sealed partial class ComposeDriveTests
{
    [Fact]
    public void A_ramp_that_never_reaches_its_target_fails_the_drive_and_says_what_was_held()
    {
        string results = Directory.CreateTempSubdirectory("shootout-drive-").FullName;
        int port = Ports.Free();
        // The server takes 100 connections; the drive asks for 300.
        using var server = TestProcess.Start(Repo.Built("shootout-server"),
            ["--engine", "epoll", "--port", port.ToString(), "--bind", "127.0.0.1", "--max-connections", "100",
             "--metrics-port", Ports.Free().ToString(), "--metrics-bind", "127.0.0.1"], new ProcessOptions { Name = "epoll server" });
        server.WaitForLine(ListeningRegex(), TimeSpan.FromSeconds(60));
        try
        {
            string path = Path.GetDirectoryName(Repo.Built("shootout-loadgen")) + ":" + Environment.GetEnvironmentVariable("PATH");
            var (exit, output) = ChildProcess.Run("/usr/bin/env", TimeSpan.FromMinutes(3), Repo.Root,
                $"PATH={path}", $"SHOOTOUT_ENGINES=epoll=127.0.0.1:{port}", "SHOOTOUT_CONNECTIONS=300", "SHOOTOUT_CONNECT_RATE=1000",
                "SHOOTOUT_DEST_ADDRESSES=1", "SHOOTOUT_RAMP_SLACK_SECONDS=4", "SHOOTOUT_SETTLE_SECONDS=0", "SHOOTOUT_PAUSE_SECONDS=0",
                "SHOOTOUT_ECHO_SECONDS=1", $"SHOOTOUT_RESULTS={results}",
                $"SHOOTOUT_HOLD_METRICS_PORT={Ports.Free()}", $"SHOOTOUT_ECHO_METRICS_PORT={Ports.Free()}",
                "bash", Repo.File("infra/docker/shootout-drive.sh"));

            Assert.True(exit == 1, $"shootout-drive.sh exited {exit}, wanted 1:\n{output}");
            Assert.Matches(@"shootout-drive: epoll: FAILED: .*held \d+ of 300 connections", output);
            Assert.DoesNotMatch(@"epoll: echo at", output);
            Assert.Contains("finished (status 1)", output);
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [GeneratedRegex(@"listening=\S+:(\d+)")]
    private static partial Regex ListeningRegex();
}
