using System.Globalization;

namespace Shootout.Runner.Machine;

/// <summary>
/// One read of /proc/PID/stat, its fields by their number in proc(5). The command name (field 2) may hold
/// spaces and parentheses, so fields are counted after its last ')'.
/// </summary>
internal sealed class ProcStat
{
    public const int Parent = 4, UserTicks = 14, SystemTicks = 15, StartTicks = 22;

    private readonly string[] _fromState; // field 3 onwards

    private ProcStat(string[] fromState) => _fromState = fromState;

    /// <summary>Null when the process is gone (or its stat cannot be read).</summary>
    public static ProcStat? Read(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return new ProcStat(stat[(stat.LastIndexOf(')') + 2)..].Split(' '));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Field <paramref name="number"/> as proc(5) numbers them (from 3: pid and name are not kept).</summary>
    public long this[int number] => long.Parse(_fromState[number - 3], CultureInfo.InvariantCulture);

    /// <summary>
    /// When process <paramref name="pid"/> started, in clock ticks after boot (field 22), or null when it is gone:
    /// with the PID it names one process for good, since a PID is reused but never with the same start time.
    /// </summary>
    public static long? StartTime(int pid)
    {
        try
        {
            return Read(pid)?[StartTicks];
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
