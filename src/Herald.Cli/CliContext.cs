using System.CommandLine;
using System.Net;
using System.Net.Sockets;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli;

/// <summary>Where a command writes (and whether in colour), and the options every command shares.</summary>
internal sealed record CliContext(TextWriter Output, TextWriter Error, GlobalOptions Options)
{
    public Ansi OutputAnsi { get; init; } = Ansi.None;

    public Ansi ErrorAnsi { get; init; } = Ansi.None;

    /// <summary>Every "now" and every wait of the commands; a fake one in tests.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Wraps a command's work so that every failure ends as one line on stderr and a dependable exit code:
    /// API errors and an unreachable server exit 1, a usage problem found after parsing exits 2.
    /// </summary>
    public Func<ParseResult, CancellationToken, Task<int>> Run(Func<ParseResult, HeraldClient, CancellationToken, Task<int>> action) =>
        Run(async (parseResult, cancellationToken) =>
        {
            using var herald = Options.CreateClient(parseResult);
            return await action(parseResult, herald, cancellationToken);
        });

    /// <summary>Like the other overload, for commands that need no server.</summary>
    public Func<ParseResult, CancellationToken, Task<int>> Run(Func<ParseResult, CancellationToken, Task<int>> action) =>
        async (parseResult, cancellationToken) =>
        {
            try
            {
                return await action(parseResult, cancellationToken);
            }
            catch (UsageException e)
            {
                await FailAsync(parseResult, "usage_error", e.Message);
                return HeraldCli.UsageError;
            }
            catch (HeraldApiException e) when (e.StatusCode == HttpStatusCode.Unauthorized)
            {
                // The server's own detail tells an HTTP client which header to send; a CLI user needs the variable.
                var (token, source) = Options.ApiToken(parseResult);
                await FailAsync(parseResult, e.Code, token is null
                    ? $"no API token: set {GlobalOptions.TokenVariable} (or pass --token) to the admin token Herald printed at its first start, or to an application token."
                    : $"the server refused the token from {source} ({e.Detail}); check {GlobalOptions.TokenVariable} or --token, and that {GlobalOptions.UrlVariable} points at the right server.");
                return HeraldCli.Failed;
            }
            catch (HeraldApiException e)
            {
                await FailAsync(parseResult, e.Code, e.Detail);
                return HeraldCli.Failed;
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
            {
                var (url, source) = Options.ServerUrl(parseResult);
                await FailAsync(parseResult, "unreachable", $"cannot reach the Herald server at {url} ({source}): {e.Message.TrimEnd('.')}. Is it running? Set {GlobalOptions.UrlVariable} or pass --server.");
                return HeraldCli.Failed;
            }
            catch (HttpRequestException e)
            {
                await FailAsync(parseResult, "http_error", e.Message);
                return HeraldCli.Failed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return HeraldCli.Ok;
            }
        };

    public bool Json(ParseResult parseResult) => parseResult.GetValue(Options.Json);

    /// <summary>
    /// One line on stderr: <c>error: detail</c> (<c>error: code: detail</c> for the API's errors), or
    /// <c>{"code", "detail"}</c> with <c>--json</c>.
    /// </summary>
    public Task FailAsync(ParseResult parseResult, string code, string detail) =>
        Error.WriteLineAsync(Json(parseResult)
            ? Printer.JsonLine(new { code, detail })
            : $"{ErrorAnsi.Red("error:")} {(LocalCodes.Contains(code) ? "" : code + ": ")}{detail}");

    /// <summary>Codes of errors the CLI finds itself; the text form leaves them out, as the detail says it all.</summary>
    private static readonly HashSet<string> LocalCodes = ["usage_error", "unreachable", "http_error", "no_outcome"];
}
