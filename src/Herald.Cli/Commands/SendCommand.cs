using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class SendCommand
{
    public static Command Create(CliContext context) => new("send", "Not yet implemented.");
}
