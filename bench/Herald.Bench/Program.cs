using Herald.Bench;

return await BenchCommand.RunAsync(args);
