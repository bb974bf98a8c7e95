using System.CommandLine;
using Herald.Cli.Commands;

namespace Herald.Cli;

/// <summary>The <c>herald</c> command tree, and the exit codes scripts rely on: 0 ok, 1 the operation failed, 2 usage error.</summary>
internal static class HeraldCli
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public static RootCommand CreateRootCommand(CliContext context)
    {
        var root = new RootCommand("herald: the command line of the Herald webhook server. Receive an application's events locally "
            + "(herald listen), publish messages, and manage applications, event types, endpoints, messages and attempts.");
        context.Options.AddTo(root);
        root.Add(ListenCommand.Create(context));
        root.Add(SendCommand.Create(context));
        root.Add(ApplicationsCommand.Create(context));
        root.Add(EventTypesCommand.Create(context));
        root.Add(EndpointsCommand.Create(context));
        root.Add(MessagesCommand.Create(context));
        root.Add(AttemptsCommand.Create(context));
        root.Add(ResendCommand.Create(context));
        root.Add(VerifyCommand.Create(context));
        return root;
    }

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given writers; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(output, error, new GlobalOptions());
        // No response files: '@file' belongs to --data and --body (curl's convention), not to the parser.
        var parseResult = CreateRootCommand(context).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            foreach (var parseError in parseResult.Errors)
            {
                await error.WriteLineAsync($"error: {parseError.Message}");
            }

            await error.WriteLineAsync("Run 'herald --help' (or 'herald <command> --help') for usage.");
            return UsageError;
        }

        return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
    }
}
