using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class MessagesCommand
{
    public static Command Create(CliContext context) => new("messages", "Not yet implemented.");
}
