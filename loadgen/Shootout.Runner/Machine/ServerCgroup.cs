using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// A cgroup (v2) of this run's server processes, so that the kernel can count what they do as one set:
/// <c>perf stat -a -G NAME</c> counts an event only while a task of the cgroup is on a CPU, with one descriptor per
/// CPU, however many threads the servers have (a thread-per-connection server holds thousands) and however many
/// they start later (a thread or child starts in its parent's cgroup). Only a process is moved here, never a
/// controller enabled: nothing limits or changes the servers.
/// </summary>
/// <remarks>
/// <c>shootout-runner-PID</c> under the cgroup2 mount (where perf looks for it by that name), one per runner; created on
/// first use, removed when the run ends, and one left by a runner that died is removed by the next (once empty).
/// </remarks>
internal sealed class ServerCgroup
{
    private const string Prefix = "shootout-runner-";
    private static readonly Lock Creating = new();
    private static ServerCgroup? _current;

    /// <summary>Its path under the cgroup2 mount: the name <c>perf -G</c> takes.</summary>
    public string Name { get; }

    private readonly string _mount;

    private string Dir => Path.Combine(_mount, Name);

    private ServerCgroup(string mount, string name)
    {
        _mount = mount;
        Name = name;
    }

    /// <summary>This run's cgroup, created now if need be; null, with the reason, where there is no cgroup2 this process may write.</summary>
    public static (ServerCgroup? Cgroup, string? Why) OfThisRun()
    {
        lock (Creating)
        {
            if (_current is not null) return (_current, null);
            if (Mount() is not { } mount) return (null, "no cgroup2 file system is mounted");
            RemoveLeftovers(mount);
            var cgroup = new ServerCgroup(mount, Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            try
            {
                Directory.CreateDirectory(cgroup.Dir);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return (null, $"cannot create a cgroup under {mount}: {e.Message}");
            }
            return (_current = cgroup, null);
        }
    }

    /// <summary>
    /// Moves <paramref name="pids"/> (each a whole process, every thread) into the cgroup, and out of it whatever else is
    /// there and not among <paramref name="pids"/> (a server of an earlier row still exiting): while perf counts, the cgroup
    /// holds exactly these processes. Null, or why not.
    /// </summary>
    public string? HoldExactly(IReadOnlyCollection<int> pids)
    {
        try
        {
            Directory.CreateDirectory(Dir);
            foreach (int pid in pids) Move(pid, Dir);
            foreach (int stranger in Members().Except(pids)) Move(stranger, _mount);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot move the servers into cgroup {Dir}: {e.Message}";
        }
    }

    /// <summary>The processes in the cgroup now (cgroup.procs: thread-group ids).</summary>
    public IReadOnlyList<int> Members()
    {
        try
        {
            return File.ReadLines(Path.Combine(Dir, "cgroup.procs"))
                .Select(line => int.Parse(line, NumberStyles.None, CultureInfo.InvariantCulture)).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>At the end of the run: the cgroup goes, once its processes have exited (the kernel refuses while any is in it).</summary>
    public static void RemoveOfThisRun()
    {
        lock (Creating)
        {
            if (_current is null) return;
            TryRemove(_current.Dir);
            _current = null;
        }
    }

    private static void Move(int pid, string dir)
    {
        try
        {
            File.WriteAllText(Path.Combine(dir, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));
        }
        catch (IOException) when (!Directory.Exists($"/proc/{pid}"))
        {
            // It exited meanwhile: nothing to count.
        }
    }

    /// <summary>The cgroups of runners that are gone: each empty by now (their servers were stopped), removed.</summary>
    private static void RemoveLeftovers(string mount)
    {
        try
        {
            foreach (string dir in Directory.EnumerateDirectories(mount, Prefix + "*"))
                if (int.TryParse(Path.GetFileName(dir)[Prefix.Length..], NumberStyles.None, CultureInfo.InvariantCulture, out int runner)
                    && !Directory.Exists($"/proc/{runner}"))
                    TryRemove(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void TryRemove(string dir)
    {
        try
        {
            Directory.Delete(dir); // rmdir: a cgroup's files are the kernel's and go with it
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Where cgroup2 is mounted (/sys/fs/cgroup on a unified system, /sys/fs/cgroup/unified on a hybrid one), from /proc/self/mounts.</summary>
    private static string? Mount()
    {
        try
        {
            return File.ReadLines("/proc/self/mounts").Select(line => line.Split(' '))
                .Where(fields => fields.Length > 2 && fields[2] == "cgroup2").Select(fields => fields[1]).FirstOrDefault();
        }
        catch (IOException)
        {
            return null;
        }
    }
}
