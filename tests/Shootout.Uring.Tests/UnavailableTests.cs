using Shootout.Engines.Uring;
using Shootout.Fibers.Interop;

namespace Shootout.Uring.Tests;

/// <summary>Where io_uring is missing or forbidden, the server says which and exits 1.</summary>
public sealed class UnavailableTests
{
    [Theory]
    [InlineData(Errno.ENOSYS, 0, 0, "this kernel has no io_uring")]
    [InlineData(Errno.ENOSYS, null, 2, "blocked by this process's seccomp filter")]
    [InlineData(Errno.EPERM, 2, 0, "kernel.io_uring_disabled=2")]
    [InlineData(Errno.EPERM, 1, 0, "kernel.io_uring_disabled=1")]
    [InlineData(Errno.EPERM, 0, 2, "a seccomp profile blocks it")]
    [InlineData(Errno.EPERM, null, 0, "a seccomp profile blocks it")]
    public void Each_cause_is_named(int errno, int? disabled, int? seccomp, string expected)
    {
        string message = RingUnavailable.Explain(errno, disabled, seccomp);
        Assert.StartsWith("the uring engine cannot start: ", message);
        Assert.Contains(expected, message);
        Assert.DoesNotContain('\n', message);
    }

    /// <summary>
    /// The real server with io_uring_setup failing as a kernel refusing it would (strace injects the
    /// errno into that one syscall): one line on stderr, exit code 1, no stack trace.
    /// </summary>
    [Theory]
    [InlineData("EPERM", "a seccomp profile blocks it")]
    [InlineData("ENOSYS", "this kernel has no io_uring")]
    public void The_server_exits_1_with_one_line_when_io_uring_is_refused(string errno, string expected)
    {
        string strace = new[] { "/usr/bin/strace", "/bin/strace" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("strace is required (apt-get install strace)");
        string server = RepoPaths.Built("shootout-server");
        var (exitCode, stdout, stderr) = TestProcess.Run(strace,
            ["-f", "-qq", "-o", "/dev/null", "-e", "trace=io_uring_setup", "-e", $"inject=io_uring_setup:error={errno}",
             server, "--engine", "uring", "--port", "0", "--metrics-port", "0"],
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, exitCode);
        Assert.Equal("", stdout);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines, l => l.StartsWith("shootout-server: ", StringComparison.Ordinal));
        Assert.Contains(expected, line);
        Assert.DoesNotContain(lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }
}
