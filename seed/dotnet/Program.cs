using System.Globalization;
using Shootout.Seed;

// shootout-seed dotnet-thread|dotnet-task|netpoll-fiber TASKS [MEMORY_RESERVE_MIB]
// shootout-seed chart SUMMARY_JSON OUT_DIR
// A run prints one line: seed variant=V tasks=K requested=N peak_alive=P start_s=S [wall="…"]
if (args is ["chart", var summary, var outDir])
{
    SeedChart.Write(summary, outDir);
    return 0;
}
if (args.Length is < 2 or > 3 || !int.TryParse(args[1], CultureInfo.InvariantCulture, out int tasks) || tasks < 0)
    return Usage();
long reserveMib = 2048;
if (args.Length == 3 && (!long.TryParse(args[2], CultureInfo.InvariantCulture, out reserveMib) || reserveMib < 0))
    return Usage();

SleepResult result;
switch (args[0])
{
    case "dotnet-thread": result = SleepingThreads.Run(tasks, reserveMib * 1024 * 1024); break;
    case "dotnet-task": result = await SleepingTasks.RunAsync(tasks); break;
    case "netpoll-fiber": result = await SleepingFibers.RunAsync(tasks); break;
    default: return Usage();
}
Console.WriteLine(result.Line(args[0], tasks));
return 0;

static int Usage()
{
    Console.Error.WriteLine("usage: shootout-seed dotnet-thread|dotnet-task|netpoll-fiber TASKS [MEMORY_RESERVE_MIB] | chart SUMMARY_JSON OUT_DIR");
    return 2;
}
