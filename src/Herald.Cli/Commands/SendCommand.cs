using System.CommandLine;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald send --app --event-type --data</c>: publish a message.</summary>
internal static class SendCommand
{
    public static Command Create(CliContext context)
    {
        var app = CommonOptions.App();
        var eventType = new Option<string>("--event-type") { Description = "The message's event type, e.g. invoice.paid.", Required = true };
        var data = new Option<string>("--data")
        {
            Description = "The payload: a JSON object, or @file.json to read it from a file.",
            HelpName = "json|@file",
            Required = true,
        };
        var eventId = new Option<string>("--event-id") { Description = "Your id for the event; publishing the same id again is refused as a duplicate." };
        var channels = new Option<string>("--channels") { Description = "Channels the message is on (comma-separated).", HelpName = "a,b" };
        var command = new Command("send", "Publish a message to an application; its endpoints receive it as a webhook.") { app, eventType, data, eventId, channels };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var message = new MessageIn
            {
                EventType = r.GetRequiredValue(eventType),
                Payload = await InlineOrFile.ReadObjectAsync(r.GetRequiredValue(data), ct),
                EventId = r.GetValue(eventId),
                Channels = CommonOptions.SplitList(r.GetValue(channels)),
            };
            var sent = await herald.Messages.CreateAsync(r.GetRequiredValue(app), message, cancellationToken: ct);
            Printer.One(context, r.GetValue(context.Options.Json), sent, ["ID", "EVENT TYPE", "EVENT ID", "TIMESTAMP"], MessagesCommand.Row);
            return HeraldCli.Ok;
        }));
        return command;
    }
}
