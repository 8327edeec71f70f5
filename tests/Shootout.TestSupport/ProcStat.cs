namespace Shootout.TestSupport;

/// <summary>
/// One read of a /proc/PID/stat or /proc/PID/task/TID/stat file, its fields by their number in proc(5).
/// The command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
/// </summary>
public sealed class ProcStat
{
    public const int UserTicks = 14, SystemTicks = 15, Nice = 19, Policy = 41;

    private readonly string[] _fromState; // field 3 onwards

    private ProcStat(string[] fromState) => _fromState = fromState;

    public static ProcStat Read(string path)
    {
        string stat = File.ReadAllText(path);
        return new ProcStat(stat[(stat.LastIndexOf(')') + 2)..].Split(' '));
    }

    /// <summary>Field <paramref name="number"/> as proc(5) numbers them (from 3: pid and name are not kept).</summary>
    public long this[int number] => long.Parse(_fromState[number - 3]);
}
