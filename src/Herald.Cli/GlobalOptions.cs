using System.CommandLine;
using Herald.Client;

namespace Herald.Cli;

/// <summary>The options every command accepts: where the server is, the token, and JSON output.</summary>
internal sealed class GlobalOptions
{
    public const string DefaultServerUrl = "http://localhost:8071";

    // The defaults are read from the environment when a command runs, not by the parser, so that --help never
    // prints the token.
    public Option<string> Server { get; } = new("--server")
    {
        Description = $"Base URL of the Herald server (default: $HERALD_SERVER_URL, else {DefaultServerUrl}).",
        HelpName = "url",
        Recursive = true,
    };

    public Option<string> Token { get; } = new("--token")
    {
        Description = "API token: an admin token or an application token (default: $HERALD_TOKEN).",
        HelpName = "token",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the API's JSON instead of a table, for scripts.",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Add(Server);
        root.Add(Token);
        root.Add(Json);
    }

    public string ServerUrl(ParseResult parseResult) =>
        parseResult.GetValue(Server) ?? Environment.GetEnvironmentVariable("HERALD_SERVER_URL") ?? DefaultServerUrl;

    public HeraldClient CreateClient(ParseResult parseResult)
    {
        var server = ServerUrl(parseResult);
        if (!Uri.TryCreate(server, UriKind.Absolute, out var serverUrl) || serverUrl.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--server must be an http:// or https:// URL, not '{server}'.");
        }

        return new HeraldClient(new HeraldClientOptions
        {
            ServerUrl = serverUrl,
            Token = parseResult.GetValue(Token) ?? Environment.GetEnvironmentVariable("HERALD_TOKEN"),
        });
    }
}
