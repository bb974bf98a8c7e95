using System.CommandLine;

namespace Herald.Cli.Commands;

internal static class VerifyCommand
{
    public static Command Create(CliContext context) => new("verify", "Not yet implemented.");
}
