namespace Shootout.LoadGen.Engine;

/// <summary>Why a worker stopped; the coordinator turns it into the exit code and the one-line message.</summary>
internal static class StopReasons
{
    public const string Completed = "completed";
    public const string Interrupted = "interrupted";
    public const string AllFailed = "all_failed";
    public const string AllLost = "all_lost";
}
