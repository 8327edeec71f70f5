using System.Globalization;
using Shootout.Runner.Machine;

namespace Shootout.Runner.Processes;

/// <summary>
/// What a run has started, in a file of its own under one fixed directory, so that a run that dies without
/// stopping its children (SIGKILL, the OOM killer, a lost machine session) leaves nothing running for long:
/// the next run finds the file of a runner that is gone, stops what it had started and names it.
/// </summary>
/// <remarks>
/// A process is written down with its start time (/proc/PID/stat field 22) beside its PID, and only a
/// process with both is stopped: a PID reused since by something else is never touched. The runner itself is
/// written down the same way, so a live run (another runner on the machine) is left alone. The file is a few
/// plain lines: <c>runner PID START</c>, <c>results DIR</c>, <c>started ISO-8601</c>, then <c>child PID START NAME</c>
/// per process, appended as each starts.
/// </remarks>
internal sealed class RunRegistry : IDisposable
{
    private readonly Lock _lock = new();
    private readonly string _path;

    /// <summary>The registry of the run going on in this process, if one was opened; processes started then are written to it.</summary>
    public static RunRegistry? Current { get; private set; }

    /// <summary>
    /// /run/shootout-runner where /run can be written (root), else shootout-runner under the temporary directory;
    /// SHOOTOUT_RUNNER_REGISTRY names another (tests keep theirs apart).
    /// </summary>
    public static string Directory =>
        Environment.GetEnvironmentVariable("SHOOTOUT_RUNNER_REGISTRY") is { Length: > 0 } dir ? dir
        : Native.IsRoot && System.IO.Directory.Exists("/run") ? "/run/shootout-runner"
        : Path.Combine(Path.GetTempPath(), "shootout-runner");

    private RunRegistry(string path) => _path = path;

    /// <summary>Opens this run's file and makes it <see cref="Current"/>.</summary>
    public static RunRegistry Open(string resultsDir, DateTimeOffset started)
    {
        System.IO.Directory.CreateDirectory(Directory);
        int self = Environment.ProcessId;
        var registry = new RunRegistry(Path.Combine(Directory, $"run-{self}.pids"));
        File.WriteAllLines(registry._path,
        [
            $"runner {self} {ProcStat.StartTime(self) ?? 0}",
            $"results {resultsDir}",
            $"started {started.ToString("O", CultureInfo.InvariantCulture)}",
        ]);
        Current = registry;
        return registry;
    }

    public void Add(int pid, string name)
    {
        if (ProcStat.StartTime(pid) is not { } start) return; // gone already: nothing to leave behind
        lock (_lock)
        {
            try
            {
                File.AppendAllLines(_path, [$"child {pid} {start} {name}"]);
            }
            catch (IOException)
            {
                // The registry is a safety net; a run does not fail for it.
            }
        }
    }

    /// <summary>The run ended and stopped its children itself: nothing is left for a next run to find.</summary>
    public void Dispose()
    {
        if (Current == this) Current = null;
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }
}
