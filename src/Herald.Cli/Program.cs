using Herald.Cli;

return await HeraldCli.RunAsync(args, Console.Out, Console.Error);
