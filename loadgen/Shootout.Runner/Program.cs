using Shootout.Runner.Bench;
using Shootout.Runner.Cli;
using Shootout.Runner.Run;

// `shootout-runner bench ...` is the lean side-by-side benchmark (make bench); anything else is the shootout (make run).
if (args.Length > 0 && args[0] == "bench")
    return await BenchCommand.RunAsync(args[1..]);
return await RunnerCommand.RunAsync(args, ShootoutRun.RunAsync);
