using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class ApplicationsCommand
{
    public static Command Create(CliContext context) => new("apps", "Not yet implemented.");
}
