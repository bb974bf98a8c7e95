using Herald.Cli;
using Herald.Cli.Output;

var (output, error) = Ansi.ForConsole();
var context = new CliContext(Console.Out, Console.Error, new GlobalOptions()) { OutputAnsi = output, ErrorAnsi = error };
return await HeraldCli.RunAsync(args, context);
