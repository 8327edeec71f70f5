using Shootout.Server;

return await ServerCommand.RunAsync(args);
