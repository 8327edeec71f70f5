using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Shootout.LoadGen.Agents;

/// <summary>
/// A child process of this same executable running its hidden <c>agent</c> command with an encoded plan: the one
/// launcher of the load generator's helper processes (agents, and scenarios in a process of their own).
/// Lines go down its stdin and come back on its stdout; its last stderr line explains an early exit.
/// </summary>
internal sealed partial class SelfProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly Task _stderr;
    private volatile string? _lastStderr;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    private SelfProcess(Process process)
    {
        _process = process;
        _stderr = Task.Run(async () =>
        {
            string? line;
            while ((line = await _process.StandardError.ReadLineAsync()) is not null)
                if (line.Length > 0) _lastStderr = line;
        });
    }

    public static SelfProcess Start(string command, string encodedPlan)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot locate own executable");
        psi.FileName = self;
        // Run as `dotnet Shootout.LoadGen.dll` (the tests do), the child needs the assembly named first.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            psi.ArgumentList.Add(typeof(SelfProcess).Assembly.Location);
        psi.ArgumentList.Add(command);
        psi.ArgumentList.Add("--plan");
        psi.ArgumentList.Add(encodedPlan);
        return new SelfProcess(Process.Start(psi) ?? throw new InvalidOperationException($"the {command} process did not start"));
    }

    public int Pid => _process.Id;
    public int ExitCode => _process.ExitCode;
    public string? LastError => _lastStderr;

    /// <summary>One line down the child's stdin; a child already gone is not an error here (its exit is read elsewhere).</summary>
    public void Send(string line)
    {
        try
        {
            _process.StandardInput.WriteLine(line);
            _process.StandardInput.Flush();
        }
        catch (IOException) { }
    }

    /// <summary>Hands every stdout line to <paramref name="onLine"/> until the child exits and its stderr is read to the end.</summary>
    public async Task ReadLinesAsync(Action<string> onLine)
    {
        string? line;
        while ((line = await _process.StandardOutput.ReadLineAsync()) is not null)
            onLine(line);
        await _process.WaitForExitAsync();
        await _stderr;
    }

    /// <summary>Closes the child's stdin: a child reading it takes that as the coordinator gone, and stops.</summary>
    public void CloseInput()
    {
        try { _process.StandardInput.Close(); } catch (IOException) { }
    }

    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>SIGTERM: the child stops and reports on its own.</summary>
    public void Terminate()
    {
        try { if (!_process.HasExited) _ = kill(_process.Id, SigTerm); } catch (InvalidOperationException) { }
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
    }

    public void Dispose() => _process.Dispose();
}
