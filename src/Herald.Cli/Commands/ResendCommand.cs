using System.CommandLine;
using System.Globalization;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald resend --app --msg --endpoint</c>: one more attempt, and what came of it.</summary>
internal static class ResendCommand
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    public static Command Create(CliContext context)
    {
        var app = CommonOptions.App();
        var message = new Option<string>("--msg") { Description = "Message id (msg_...) or event id.", Required = true };
        var endpoint = new Option<string>("--endpoint") { Description = "Endpoint id (ep_...) or uid.", Required = true };
        var wait = new Option<TimeSpan?>("--wait")
        {
            Description = "How long to wait for the attempt's outcome (default 30s; 0 only queues it).",
            HelpName = "duration",
            CustomParser = OptionRules.Duration(TimeSpan.FromMinutes(10)),
        };
        var command = new Command("resend", "Deliver a message to an endpoint again (one attempt, e.g. after fixing the receiver) and show what the "
            + "endpoint answered. Exits 0 when it was delivered, 1 when the attempt failed or no outcome came within --wait.")
        {
            app, message, endpoint, wait,
        };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var (appId, msgId, endpointId) = (r.GetRequiredValue(app), r.GetRequiredValue(message), r.GetRequiredValue(endpoint));
            var waitFor = r.GetValue(wait) ?? TimeSpan.FromSeconds(30);
            var before = await NewestAttemptAsync(herald, appId, msgId, endpointId, ct);
            await herald.Attempts.ResendAsync(appId, msgId, endpointId, cancellationToken: ct);
            if (waitFor == TimeSpan.Zero)
            {
                await context.Output.WriteLineAsync(context.Json(r)
                    ? Printer.JsonLine(new { queued = true, msgId, endpointId })
                    : $"queued: {msgId} to {endpointId}");
                return HeraldCli.Ok;
            }

            var deadline = context.Time.GetUtcNow() + waitFor;
            while (true)
            {
                var newest = await NewestAttemptAsync(herald, appId, msgId, endpointId, ct);
                // A scheduled retry can finish meanwhile (or the attempt before the resend be recorded late): only a new
                // manual attempt is the resend's.
                if (newest is { TriggerType: AttemptTrigger.Manual, Status: MessageStatus.Success or MessageStatus.Fail } && newest.Id != before?.Id)
                {
                    await PrintAsync(context, r, newest);
                    return newest.Status == MessageStatus.Success ? HeraldCli.Ok : HeraldCli.Failed;
                }

                if (context.Time.GetUtcNow() >= deadline)
                {
                    await context.FailAsync(r, "no_outcome", $"the attempt is queued but did not finish within {waitFor:g}; "
                        + $"see 'herald attempts list --app {appId} --msg {msgId} --endpoint {endpointId}'.");
                    return HeraldCli.Failed;
                }

                await Task.Delay(PollInterval, context.Time, ct);
            }
        }));
        return command;
    }

    private static async Task<MessageAttemptOut?> NewestAttemptAsync(HeraldClient herald, string app, string message, string endpoint, CancellationToken cancellationToken)
    {
        var page = await herald.Attempts.ListByMessageAsync(app, message, new AttemptListOptions { EndpointId = endpoint, Limit = 1 }, cancellationToken);
        return page.Data.FirstOrDefault();
    }

    private static Task PrintAsync(CliContext context, ParseResult parseResult, MessageAttemptOut attempt)
    {
        if (context.Json(parseResult))
        {
            Printer.Json(context.Output, attempt);
            return Task.CompletedTask;
        }

        var ansi = context.OutputAnsi;
        var http = attempt.ResponseStatusCode == 0 ? "no answer" : $"HTTP {attempt.ResponseStatusCode.ToString(CultureInfo.InvariantCulture)}";
        var outcome = attempt.Status == MessageStatus.Success ? ansi.Green("delivered") : ansi.Red("failed");
        var error = string.IsNullOrWhiteSpace(attempt.Error) ? "" : $": {AttemptsCommand.OneLine(attempt.Error)}";
        return context.Output.WriteLineAsync(
            $"{outcome}: {attempt.MsgId} to {attempt.EndpointId}, {ansi.Status(attempt.ResponseStatusCode, http)} in {attempt.ResponseDurationMs} ms ({attempt.Id}){error}");
    }
}
