using Shootout.Runner.Cli;
using Shootout.Runner.Run;

return await RunnerCommand.RunAsync(args, ShootoutRun.RunAsync);
