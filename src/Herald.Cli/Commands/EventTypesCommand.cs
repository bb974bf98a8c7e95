using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class EventTypesCommand
{
    public static Command Create(CliContext context) => new("event-types", "Not yet implemented.");
}
