using System.Globalization;
using System.Text.RegularExpressions;

namespace Shootout.Runner.Processes;

/// <summary>
/// Someone else's echo server (--contender NAME='COMMAND'): any executable that echoes TCP, started by
/// <c>/bin/sh -c</c> with <c>{port}</c> substituted. It announces nothing and has no /metrics, so the run
/// waits for its port to listen, checks one echo, counts its connections from the kernel's socket table and
/// reads its memory, threads and CPU over its whole process tree (a server may fork a process per connection).
/// </summary>
/// <remarks>
/// A command naming <c>{copy}</c> is started once per server copy (all on the same port: it must set
/// SO_REUSEPORT), with <c>{copy}</c> = 0, 1, … and <c>{copies}</c> = how many; any other command is started
/// once, as it may fork or thread as it likes, and <c>{copies}</c> tells it how many copies the run would use.
/// </remarks>
internal sealed partial record ContenderLaunch(string Contender, string Command) : ServerLaunch(Contender, "/bin/sh")
{
    public override string AnnouncePrefix => "";
    public override bool HasMetrics => false;

    /// <summary>True when the command starts one copy per <c>{copy}</c>; otherwise one process (tree) serves every connection.</summary>
    public bool PerCopy => Command.Contains("{copy}", StringComparison.Ordinal);

    /// <summary>How many times the command is started when the run would use <paramref name="copies"/> server copies.</summary>
    public int Starts(int copies) => PerCopy ? copies : 1;

    public override IReadOnlyList<string> Args(int port, int metricsPort, bool severalCopies) => ["-c", CommandLine(port, 0, 1)];

    /// <summary>The shell command of copy <paramref name="copy"/> of <paramref name="copies"/> on <paramref name="port"/>.</summary>
    public string CommandLine(int port, int copy, int copies) => Command
        .Replace("{port}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{copies}", copies.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        .Replace("{copy}", copy.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>
    /// Reads NAME='COMMAND' (one --contender, or one line of a contenders file); null and a one-line reason
    /// when it is not one.
    /// </summary>
    public static ContenderLaunch? Parse(string text, out string? error)
    {
        error = null;
        int equals = text.IndexOf('=', StringComparison.Ordinal);
        string name = equals < 0 ? "" : text[..equals].Trim().ToLowerInvariant();
        string command = equals < 0 ? "" : text[(equals + 1)..].Trim();
        if (command.Length > 1 && command[0] == command[^1] && command[0] is '\'' or '"') command = command[1..^1].Trim();
        if (equals < 0 || command.Length == 0)
            error = $"'{text}' is not NAME='COMMAND' (e.g. socat='socat TCP-LISTEN:{{port}},reuseaddr,fork EXEC:cat')";
        else if (!NameRegex().IsMatch(name))
            error = $"'{name}' is not a name for a row (letters, digits, '-', '_', '.'; at most 16, so the tables stay narrow)";
        else if (!command.Contains("{port}", StringComparison.Ordinal))
            error = $"{name}: the command has no {{port}}: the run chooses the port it listens on";
        return error is null ? new ContenderLaunch(name, command) : null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,15}$")]
    private static partial Regex NameRegex();
}
