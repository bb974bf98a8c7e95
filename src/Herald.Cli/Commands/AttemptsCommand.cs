using System.CommandLine;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald attempts list --app (--endpoint | --msg)</c>.</summary>
internal static class AttemptsCommand
{
    private static readonly string[] Headers = ["ID", "MESSAGE", "ENDPOINT", "STATUS", "HTTP", "MS", "TIMESTAMP", "ERROR"];

    public static Command Create(CliContext context)
    {
        var json = context.Options.Json;
        var app = CommonOptions.App();
        var endpoint = new Option<string>("--endpoint") { Description = "The endpoint's attempts (id or uid)." };
        var message = new Option<string>("--msg") { Description = "The message's attempts (id or event id)." };
        var limit = CommonOptions.Limit();
        var iterator = CommonOptions.Iterator();
        var list = new Command("list", "List delivery attempts of an endpoint (--endpoint) or of a message (--msg), newest first; both narrows to one pair.")
        {
            app, endpoint, message, limit, iterator,
        };
        list.Validators.Add(result =>
        {
            if (result.GetValue(endpoint) is null && result.GetValue(message) is null)
            {
                result.AddError("give --endpoint or --msg (or both).");
            }
        });
        list.SetAction(context.Run(async (r, herald, ct) =>
        {
            var options = new AttemptListOptions { Limit = r.GetValue(limit), Iterator = r.GetValue(iterator) };
            var page = r.GetValue(message) is { } msg
                ? await herald.Attempts.ListByMessageAsync(r.GetRequiredValue(app), msg, options with { EndpointId = r.GetValue(endpoint) }, ct)
                : await herald.Attempts.ListByEndpointAsync(r.GetRequiredValue(app), r.GetRequiredValue(endpoint), options, ct);
            Printer.List(context, r.GetValue(json), page, Headers, Row, (column, cell) => Colour(context.OutputAnsi, column, cell));
            return HeraldCli.Ok;
        }));
        return new Command("attempts", "Delivery attempts: what each endpoint answered, and when.") { list };
    }

    private static IReadOnlyList<string> Row(MessageAttemptOut attempt) =>
    [
        attempt.Id, attempt.MsgId, attempt.EndpointId, attempt.Status.ToString().ToLowerInvariant(),
        attempt.ResponseStatusCode == 0 ? "-" : attempt.ResponseStatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        attempt.ResponseDurationMs.ToString(System.Globalization.CultureInfo.InvariantCulture), Printer.Time(attempt.Timestamp),
        OneLine(attempt.Error),
    ];

    /// <summary>The attempt's error (refused address, timeout, connection reset) on one line; "-" when it had none.</summary>
    internal static string OneLine(string? error) =>
        string.IsNullOrWhiteSpace(error) ? "-" : string.Join(' ', error.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Colour(Ansi ansi, int column, string cell) => column switch
    {
        3 => cell switch { "success" => ansi.Green(cell), "fail" => ansi.Red(cell), _ => ansi.Yellow(cell) },
        7 when cell != "-" => ansi.Red(cell),
        _ => cell,
    };
}
