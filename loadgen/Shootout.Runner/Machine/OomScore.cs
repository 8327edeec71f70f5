using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// Whom the kernel's OOM killer takes first if memory runs out anyway (a server that takes memory faster than
/// the watchdog can read it: the Rust reference's thread per connection at 30,000 connects/s took the OOM
/// killer to the runner itself once, and the whole run's report was lost). Each server copy asks to be taken
/// first; a server killed that way is a crash the runner reports as that engine's failure, and the runner
/// lives to report the run and put the sysctls back. Raising a process's score needs no privilege (lowering
/// the runner's own would need CAP_SYS_RESOURCE, which containers and this kind of machine often lack).
/// </summary>
internal static class OomScore
{
    public const int Server = 800;

    public static void OfferFirst(int pid)
    {
        try { File.WriteAllText($"/proc/{pid}/oom_score_adj", Server.ToString(CultureInfo.InvariantCulture)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
