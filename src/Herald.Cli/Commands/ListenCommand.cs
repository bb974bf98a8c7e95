using System.CommandLine;
using Herald.Cli.Listen;

namespace Herald.Cli.Commands;

/// <summary><c>herald listen</c>: an application's events, forwarded as signed webhooks to a local URL.</summary>
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
        var eventTypes = CommonOptions.EventTypes("Forward only these event types (comma-separated; default: all).");
        var consumer = new Option<string>("--consumer")
        {
            Description = "Name of the cursor Herald keeps for this listener; a restart with the same name resumes where it stopped.",
            DefaultValueFactory = _ => "herald-cli",
        };
        var sink = new Option<string>("--sink")
        {
            Description = "Uid of the polling endpoint to read (created or updated at start).",
            DefaultValueFactory = _ => "herald-cli-listen",
        };
        var secret = new Option<string>("--secret")
        {
            Description = "Signing secret (whsec_...) your app verifies the forwarded webhooks with. Default: a new one, printed at start.",
            HelpName = "whsec_...",
        };
        var command = new Command("listen", "Receive the application's events on your machine: follows Herald's event stream and POSTs "
            + "each message to --forward-to as a signed Standard Webhooks request, in order, resuming after a restart without losing any.")
        {
            app, forwardTo, eventTypes, consumer, sink, secret,
        };
        command.SetAction(context.Run(async (parseResult, herald, cancellationToken) =>
        {
            if (!Uri.TryCreate(parseResult.GetRequiredValue(forwardTo), UriKind.Absolute, out var target) || target.Scheme is not ("http" or "https"))
            {
                throw new UsageException("--forward-to must be an absolute http:// or https:// URL.");
            }

            var given = parseResult.GetValue(secret);
            var signingSecret = given is null ? WebhookSecret.Generate() : WebhookSecret.Parse(given);
            var settings = new ListenSettings
            {
                App = parseResult.GetRequiredValue(app),
                Sink = parseResult.GetRequiredValue(sink),
                Consumer = parseResult.GetRequiredValue(consumer),
                EventTypes = CommonOptions.SplitList(parseResult.GetValue(eventTypes)),
            };
            await context.Output.WriteLineAsync($"Forwarding events of {settings.App} to {target} (consumer {settings.Consumer}). Ctrl+C to stop.");
            if (given is null)
            {
                await context.Output.WriteLineAsync($"Signing secret: {signingSecret.Text}  (pass --secret to keep one across runs)");
            }

            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var forwarder = new LocalForwarder(http, target, signingSecret, TimeProvider.System, new ForwardRetryPolicy());
            await new ListenSession(herald, settings, forwarder, context.Output, TimeProvider.System).RunAsync(cancellationToken);
            return HeraldCli.Ok;
        }));
        return command;
    }
}
