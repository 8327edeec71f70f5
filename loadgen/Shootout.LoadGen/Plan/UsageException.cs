namespace Shootout.LoadGen.Plan;

/// <summary>Bad input: reported as one line naming the option or config field, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
