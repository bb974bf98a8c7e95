using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class EndpointsCommand
{
    public static Command Create(CliContext context) => new("endpoints", "Not yet implemented.");
}
