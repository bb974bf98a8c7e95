using System.CommandLine;
using System.Net.Sockets;
using Herald.Client;

namespace Herald.Cli;

/// <summary>Where a command writes, and the options every command shares.</summary>
internal sealed record CliContext(TextWriter Output, TextWriter Error, GlobalOptions Options)
{
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
                await Error.WriteLineAsync($"error: {e.Message}");
                return HeraldCli.UsageError;
            }
            catch (HeraldApiException e)
            {
                await Error.WriteLineAsync($"error: {e.Code}: {e.Detail}");
                return HeraldCli.Failed;
            }
            catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
            {
                await Error.WriteLineAsync($"error: cannot reach the Herald server at {Options.ServerUrl(parseResult)}: {e.Message}");
                return HeraldCli.Failed;
            }
            catch (HttpRequestException e)
            {
                await Error.WriteLineAsync($"error: {e.Message}");
                return HeraldCli.Failed;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return HeraldCli.Ok;
            }
        };
}
