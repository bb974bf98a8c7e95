using System.CommandLine;
using Herald.Cli.Listen;

namespace Herald.Cli.Commands;

/// <summary><c>herald listen</c>: an application's events, forwarded as signed webhooks to a local URL, like <c>stripe listen</c>.</summary>
internal static class ListenCommand
{
    public static Command Create(CliContext context)
    {
        var app = CommonOptions.App();
        var forwardTo = new Option<string>("--forward-to")
        {
            Description = "Local URL each event is POSTed to, e.g. http://localhost:3000/webhooks.",
            HelpName = "url",
            Required = true,
        };
        forwardTo.Validators.Add(OptionRules.HttpUrl);
        var eventTypes = CommonOptions.EventTypes("Forward only these event types (comma-separated; default: all).");
        var secret = new Option<string>("--secret")
        {
            Description = "Sign with this secret (whsec_...), e.g. your endpoint's, from 'herald endpoints secret'. "
                + "Default: a new one (kept with --name), printed on the Ready line.",
            HelpName = "whsec_...",
        };
        secret.Validators.Add(OptionRules.Secret);
        var name = new Option<string>("--name")
        {
            Description = "Read through the named polling endpoint, created if needed and kept after exit, so the next run resumes where this one "
                + "stopped. Default: a temporary one, removed on exit.",
            HelpName = "uid",
        };
        name.Validators.Add(OptionRules.Uid);
        var fromStart = new Option<bool>("--from-start") { Description = "Replay the application's events from the beginning, then follow new ones." };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Replay events since a time (ISO 8601, e.g. 2026-11-26T12:00:00Z) or a duration ago (15m, 2h, 1d), then follow new ones.",
            HelpName = "time",
            CustomParser = OptionRules.PointInTime(context.Time),
        };
        var command = new Command("listen", "Receive the application's events on your machine, like 'stripe listen': prints 'Ready' with the signing "
            + "secret, then POSTs each new event to --forward-to as a signed Standard Webhooks request, in order, one line per forward.")
        {
            app, forwardTo, eventTypes, secret, name, fromStart, since,
        };
        command.Validators.Add(result =>
        {
            if (result.GetValue(fromStart) && result.GetResult(since) is not null)
            {
                result.AddError("give --from-start or --since, not both.");
            }
        });
        command.SetAction(context.Run(async (parseResult, herald, cancellationToken) =>
        {
            var target = new Uri(parseResult.GetRequiredValue(forwardTo));
            var request = new ListenRequest
            {
                App = parseResult.GetRequiredValue(app),
                Name = parseResult.GetValue(name),
                Secret = parseResult.GetValue(secret) is { } given ? WebhookSecret.Parse(given) : null,
                EventTypes = CommonOptions.SplitList(parseResult.GetValue(eventTypes)),
                Start = parseResult.GetValue(fromStart) ? ListenStart.FromStart : parseResult.GetValue(since) is null ? ListenStart.Default : ListenStart.Since,
                Since = parseResult.GetValue(since),
            };
            var reporter = new ListenReporter(context.Output, context.OutputAnsi, context.Json(parseResult), context.Time);
            var (sink, startsWith) = await ListenSink.OpenAsync(herald, request, context.Time, cancellationToken);
            try
            {
                await reporter.ReadyAsync(sink, target, startsWith);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                var forwarder = new LocalForwarder(http, target, sink.Secret, context.Time, new ForwardRetryPolicy());
                var settings = new ListenSettings { App = sink.App, Sink = sink.Uid };
                await new ListenSession(herald, settings, forwarder, reporter, context.Time).RunAsync(cancellationToken);
            }
            finally
            {
                if (sink.Temporary)
                {
                    await (await sink.DeleteAsync(herald)
                        ? reporter.NoticeAsync("stopped", $"stopped; removed the temporary polling endpoint {sink.Uid}")
                        : reporter.NoticeAsync("stopped", $"stopped; could not remove the temporary polling endpoint {sink.Uid} of {sink.App}: delete it with DELETE /api/v1/app/{sink.App}/destination/{sink.Uid}"));
                }
            }

            return HeraldCli.Ok;
        }));
        return command;
    }
}
