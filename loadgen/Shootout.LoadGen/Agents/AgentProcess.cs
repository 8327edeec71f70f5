using System.Diagnostics;
using System.Runtime.InteropServices;
using Shootout.LoadGen.Plan;
using Shootout.LoadGen.Stats;

namespace Shootout.LoadGen.Agents;

/// <summary>One local agent: a child process of this same executable running the hidden <c>agent</c>
/// command with its share of the plan.</summary>
internal sealed partial class AgentProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _lastStderr;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    public int Index { get; }
    public int Pid => _process.Id;
    public Task ReadyTask => _ready.Task;
    public string? LastError => _lastStderr;

    private AgentProcess(int index, Process process)
    {
        Index = index;
        _process = process;
    }

    public static AgentProcess Start(int index, LoadPlan plan)
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
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            psi.ArgumentList.Add(typeof(AgentProcess).Assembly.Location);
        psi.ArgumentList.Add("agent");
        psi.ArgumentList.Add("--plan");
        psi.ArgumentList.Add(AgentProtocol.EncodePlan(plan));
        return new AgentProcess(index, Process.Start(psi) ?? throw new InvalidOperationException("agent did not start"));
    }

    /// <summary>Reads the agent's ticks until it exits; returns true when its final tick arrived.</summary>
    public async Task<bool> PumpAsync(Action<Tick> onTick)
    {
        var stderr = Task.Run(async () =>
        {
            string? line;
            while ((line = await _process.StandardError.ReadLineAsync()) is not null)
                if (line.Length > 0) _lastStderr = line;
        });
        bool final = false;
        string? l;
        while ((l = await _process.StandardOutput.ReadLineAsync()) is not null)
        {
            if (l == AgentProtocol.Ready) { _ready.TrySetResult(); continue; }
            if (!l.StartsWith('{')) continue;
            var tick = AgentProtocol.DecodeTick(l);
            onTick(tick);
            if (tick.Final) final = true;
        }
        _ready.TrySetResult();
        await _process.WaitForExitAsync();
        await stderr;
        return final;
    }

    public void Go()
    {
        try
        {
            _process.StandardInput.WriteLine(AgentProtocol.Go);
            _process.StandardInput.Flush();
        }
        catch (IOException) { }
    }

    /// <summary>Asks the agent to stop and report (SIGTERM); it writes its final tick and exits.</summary>
    public void Stop()
    {
        try { if (!_process.HasExited) _ = kill(_process.Id, SigTerm); } catch (InvalidOperationException) { }
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(); } catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }
}
