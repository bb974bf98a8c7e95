using System.CommandLine;
using System.CommandLine.Parsing;
using Herald.Cli.Commands;
using Herald.Cli.Output;

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
            + "(herald listen), publish messages, and manage applications, event types, endpoints, messages and attempts. "
            + $"Reads the server from ${GlobalOptions.UrlVariable} and the token from ${GlobalOptions.TokenVariable}; colours are off when piped or with NO_COLOR.");
        context.Options.AddTo(root);
        root.Add(ListenCommand.Create(context));
        root.Add(TriggerCommand.Create(context));
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
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default) =>
        RunAsync(args, new CliContext(output, error, new GlobalOptions()), cancellationToken);

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        // No response files: '@file' belongs to --data and --body (curl's convention), not to the parser.
        var parseResult = CreateRootCommand(context).Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0)
        {
            await WriteParseErrorsAsync(parseResult, context);
            return UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            Output = context.Output,
            Error = context.Error,
            // Ctrl+C cancels the command; listen then deletes its temporary polling endpoint, which needs a moment.
            ProcessTerminationTimeout = TimeSpan.FromSeconds(10),
        };
        return await parseResult.InvokeAsync(invocation, cancellationToken);
    }

    private static async Task WriteParseErrorsAsync(ParseResult parseResult, CliContext context)
    {
        var json = parseResult.Tokens.Any(t => t.Value == "--json");
        var unmatched = parseResult.UnmatchedTokens.ToHashSet(StringComparer.Ordinal);
        // "herald lisen" also misses its required subcommand; the unrecognised word is the one thing to report.
        var errors = unmatched.Count > 0
            ? parseResult.Errors.Where(e => e.SymbolResult is not CommandResult || unmatched.Any(t => e.Message.Contains($"'{t}'", StringComparison.Ordinal)))
            : parseResult.Errors;
        foreach (var parseError in errors)
        {
            var message = parseError.Message;
            var token = unmatched.FirstOrDefault(t => message.Contains($"'{t}'", StringComparison.Ordinal));
            if (token is not null && TypoSuggestions.For(parseResult, token) is { Count: > 0 } suggestions)
            {
                message += $" Did you mean {string.Join(" or ", suggestions.Select(s => $"'{s}'"))}?";
            }

            await context.Error.WriteLineAsync(json ? Printer.JsonLine(new { code = "usage_error", detail = message }) : $"{context.ErrorAnsi.Red("error:")} {message}");
        }

        if (!json)
        {
            await context.Error.WriteLineAsync("Run 'herald --help' (or 'herald <command> --help') for usage.");
        }
    }
}
