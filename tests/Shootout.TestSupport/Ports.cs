using Shootout.Common;

namespace Shootout.TestSupport;

/// <summary>Ports for the servers, metrics endpoints and tools a test starts.</summary>
public static class Ports
{
    /// <summary>
    /// A TCP port nothing uses now, below the kernel's ephemeral range: ports from there are not handed
    /// out to other processes' outgoing connections (load tests open thousands) before the process the
    /// port is meant for binds it. Below 15000 too: a shootout run (the runner's tests run alongside)
    /// widens the range down to there while it runs.
    /// </summary>
    public static int Free()
    {
        int ephemeralLow = 32768;
        try { ephemeralLow = int.Parse(File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range").Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[0]); }
        catch (Exception e) when (e is IOException or FormatException or UnauthorizedAccessException) { }
        int low = ephemeralLow > 12000 ? 10000 : 1024, high = ephemeralLow > 12000 ? Math.Min(ephemeralLow, 15000) : 65535;
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int port = Random.Shared.Next(low, high);
            if (PortProbe.Free(port) && Reserve(port))
                return port;
        }
        throw new InvalidOperationException($"no free port found in {low}-{high}");
    }

    /// <summary>
    /// The suites run side by side (one test process per project) and each picks ports at random from the same band:
    /// two could pick one port before either binds it ("Address already in use" in whichever binds second). A port
    /// handed out is marked by a file created exclusively; another process skips it for <see cref="Held"/>.
    /// </summary>
    private static bool Reserve(int port)
    {
        string dir = Path.Combine(Path.GetTempPath(), "shootout-test-ports");
        string mark = Path.Combine(dir, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(dir);
            if (File.Exists(mark) && DateTime.UtcNow - File.GetLastWriteTimeUtc(mark) > Held)
                File.Delete(mark);
            using (File.Open(mark, FileMode.CreateNew, FileAccess.Write)) { }
            return true;
        }
        catch (IOException)
        {
            return false; // handed out to another test process lately
        }
        catch (UnauthorizedAccessException)
        {
            return true; // no shared place to mark it: bindable is the best this machine can say
        }
    }

    /// <summary>Longer than any test keeps a port it was given.</summary>
    private static readonly TimeSpan Held = TimeSpan.FromMinutes(15);
}
