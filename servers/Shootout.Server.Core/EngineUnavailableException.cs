namespace Shootout.Server.Core;

/// <summary>
/// The engine cannot run on this machine (a kernel facility is missing or forbidden). The host prints
/// the message as one line and exits 1; the message says what is missing and how to get it.
/// </summary>
public sealed class EngineUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
