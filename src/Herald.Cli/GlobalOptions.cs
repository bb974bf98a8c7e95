using System.CommandLine;
using Herald.Cli.Commands;
using Herald.Client;

namespace Herald.Cli;

/// <summary>The options every command accepts: where the server is, the token, and JSON output.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServerUrl = "http://localhost:8071";

    /// <summary>The server's URL, as the README's walk-through names it.</summary>
    public const string UrlVariable = "HERALD_URL";

    /// <summary>The name the first versions of the CLI read; still honoured when <see cref="UrlVariable"/> is unset.</summary>
    public const string LegacyUrlVariable = "HERALD_SERVER_URL";

    public const string TokenVariable = "HERALD_TOKEN";

    public GlobalOptions()
    {
        Server.Validators.Add(OptionRules.HttpUrl);
    }

    // The defaults are read from the environment when a command runs, not by the parser, so that --help never
    // prints the token.
    public Option<string> Server { get; } = new("--server")
    {
        Description = $"Base URL of the Herald server (default: ${UrlVariable}, else {DefaultServerUrl}).",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = $"API token: an admin token or an application token (default: ${TokenVariable}).",
        HelpName = "token",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print JSON instead of tables and sentences, for scripts (errors too, on stderr).",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Add(Server);
        root.Add(Token);
        root.Add(Json);
    }

    /// <summary>The server's URL and where it came from, for error messages that say what to change.</summary>
    public (string Url, string Source) ServerUrl(ParseResult parseResult)
    {
        if (parseResult.GetValue(Server) is { } given)
        {
            return (given, "--server");
        }

        foreach (var variable in (string[])[UrlVariable, LegacyUrlVariable])
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
            {
                return (fromEnvironment, "$" + variable);
            }
        }

        return (DefaultServerUrl, "the default");
    }

    /// <summary>The token and where it came from (null when there is none).</summary>
    public (string? Token, string Source) ApiToken(ParseResult parseResult) =>
        parseResult.GetValue(Token) is { } given ? (given, "--token")
        : Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 } fromEnvironment ? (fromEnvironment, "$" + TokenVariable)
        : (null, "none");

    public HeraldClient CreateClient(ParseResult parseResult)
    {
        var (server, source) = ServerUrl(parseResult);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUrl) || serverUrl.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"the server URL ({source}) must be an http:// or https:// URL, not '{server}'.");
        }

        return new HeraldClient(new HeraldClientOptions { ServerUrl = serverUrl, Token = ApiToken(parseResult).Token });
    }
}
