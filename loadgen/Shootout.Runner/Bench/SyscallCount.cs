using System.Globalization;
using Shootout.Runner.Processes;

namespace Shootout.Runner.Bench;

/// <summary>
/// Syscalls per echoed message of a running server: a small fixed closed-loop echo (100 connections × 64 B for 2 s, its own
/// phase, since counting every syscall slows the server) while <c>perf stat</c> counts each syscall the server's threads
/// enter (the raw_syscalls:sys_enter tracepoint, a software event that works where hardware counters do not).
/// </summary>
internal static class SyscallCount
{
    private const int Connections = 100, MessageSize = 64;
    private const double Seconds = 2;

    /// <summary>Null, with a line saying why, where perf cannot count.</summary>
    public static async Task<double?> PerMessageAsync(BenchRow row, BenchServer server, BenchClient client, string workDir, CancellationToken cancel)
    {
        string output = Path.Combine(workDir, $"syscalls-{row.Name.Replace('#', '-')}.csv");
        ChildProcess perf;
        try
        {
            perf = ChildProcess.Start("perf", "perf", ["stat", "-x,", "-e", "raw_syscalls:sys_enter", "-p", server.Pid.ToString(CultureInfo.InvariantCulture),
                "-o", output], Path.Combine(workDir, "perf.log"));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"{row.Name}: syscalls per message not counted: perf did not start ({e.Message}; tools/prereqs.sh bench installs it)");
            return null;
        }
        using (perf)
        {
            await Task.Delay(500, cancel); // perf attaches to every thread of the server
            var (echo, _) = await client.EchoAsync(server.Host, server.Port, Connections, MessageSize, Seconds, cancel);
            await perf.StopAsync(Machine.Native.SIGINT, TimeSpan.FromSeconds(10));
            long? calls = File.Exists(output)
                ? File.ReadLines(output).Where(l => l.Contains("raw_syscalls:sys_enter", StringComparison.Ordinal))
                    .Select(l => long.TryParse(l.Split(',')[0], CultureInfo.InvariantCulture, out long n) ? n : (long?)null).FirstOrDefault()
                : null;
            if (calls is null || echo.Number("messages") is not { } messages || messages <= 0)
            {
                Console.Error.WriteLine($"{row.Name}: syscalls per message not counted (perf: {perf.LastLines()}; client: {echo})");
                return null;
            }
            return calls.Value / messages;
        }
    }
}
