using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class ResendCommand
{
    public static Command Create(CliContext context) => new("resend", "Not yet implemented.");
}
