using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class AttemptsCommand
{
    public static Command Create(CliContext context) => new("attempts", "Not yet implemented.");
}
