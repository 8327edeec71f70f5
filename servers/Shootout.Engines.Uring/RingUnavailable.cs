using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>
/// Why io_uring_setup failed, in one line a user can act on: a kernel without io_uring, the
/// kernel.io_uring_disabled switch, or a seccomp filter (Docker's default profile blocks io_uring).
/// </summary>
internal static class RingUnavailable
{
    public const string DisabledSysctl = "/proc/sys/kernel/io_uring_disabled";

    /// <summary>The message for a failed io_uring_setup, reading the machine's state to tell the causes apart.</summary>
    public static string Explain(int errno) => Explain(errno, ReadInt(DisabledSysctl), SeccompMode());

    /// <param name="disabled">kernel.io_uring_disabled (null: no such sysctl, a kernel before 6.6).</param>
    /// <param name="seccomp">The Seccomp field of /proc/self/status: 0 none, 1 strict, 2 filter (null: unknown).</param>
    public static string Explain(int errno, int? disabled, int? seccomp)
    {
        const string Prefix = "the uring engine cannot start: ";
        bool filtered = seccomp is 2;
        switch (errno)
        {
            case Errno.ENOSYS when filtered:
                return Prefix + "io_uring_setup is blocked by this process's seccomp filter (ENOSYS); in a container, run it with a seccomp"
                    + " profile that allows io_uring_setup, io_uring_enter and io_uring_register";
            case Errno.ENOSYS:
                return Prefix + "this kernel has no io_uring (io_uring_setup: ENOSYS): it needs Linux 5.19 or later,"
                    + " built with CONFIG_IO_URING";
            case Errno.EPERM when disabled is 2:
                return Prefix + "io_uring is disabled on this machine (kernel.io_uring_disabled=2);"
                    + " enable it with: sysctl -w kernel.io_uring_disabled=0";
            case Errno.EPERM when disabled is 1:
                return Prefix + "io_uring is restricted to privileged processes and kernel.io_uring_group (kernel.io_uring_disabled=1);"
                    + " run as root, join that group, or sysctl -w kernel.io_uring_disabled=0";
            case Errno.EPERM:
                return Prefix + "io_uring_setup was refused (EPERM) although kernel.io_uring_disabled allows it: a seccomp profile blocks it"
                    + " (Docker's default does: give the container security_opt seccomp=<a profile that allows io_uring_setup,"
                    + " io_uring_enter, io_uring_register>)";
            case Errno.ENOMEM:
                return Prefix + "io_uring_setup: out of memory (ENOMEM): the locked-memory limit (ulimit -l) may be too low for the rings";
            case Errno.EINVAL:
                return Prefix + "io_uring_setup rejected the ring's parameters (EINVAL): the kernel is too old for the features asked for;"
                    + " it needs Linux 6.1 or later (or switch features off with " + RingFeatures.EnvironmentVariable + ")";
            default:
                return Prefix + $"io_uring_setup failed with errno {errno}";
        }
    }

    private static int? SeccompMode()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith("Seccomp:", StringComparison.Ordinal))
                    return int.TryParse(line.AsSpan(8).Trim(), out int mode) ? mode : null;
        }
        catch (IOException)
        {
        }
        return null;
    }

    private static int? ReadInt(string path)
    {
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), out int value) ? value : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
