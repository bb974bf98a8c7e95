using System.CommandLine;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald messages list|get --app</c>.</summary>
internal static class MessagesCommand
{
    private static readonly string[] Headers = ["ID", "EVENT TYPE", "EVENT ID", "TIMESTAMP"];

    public static Command Create(CliContext context)
    {
        var json = context.Options.Json;
        return new Command("messages", "Messages published to an application.")
        {
            List(context, json),
            Get(context, json),
        };
    }

    internal static IReadOnlyList<string> Row(MessageOut message) => [message.Id, message.EventType, message.EventId ?? "", Printer.Time(message.Timestamp)];

    private static Command List(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var limit = CommonOptions.Limit();
        var iterator = CommonOptions.Iterator();
        var eventTypes = CommonOptions.EventTypes("Only these event types (comma-separated).");
        var command = new Command("list", "List the application's messages, newest first.") { app, limit, iterator, eventTypes };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var options = new MessageListOptions { Limit = r.GetValue(limit), Iterator = r.GetValue(iterator), EventTypes = CommonOptions.SplitList(r.GetValue(eventTypes)) };
            Printer.List(context, r.GetValue(json), await herald.Messages.ListAsync(r.GetRequiredValue(app), options, ct), Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command Get(CliContext context, Option<bool> json)
    {
        var app = CommonOptions.App();
        var message = new Argument<string>("message") { Description = "Message id (msg_...) or your event id." };
        var command = new Command("get", "Show one message; the table view prints its payload below.") { app, message };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var found = await herald.Messages.GetAsync(r.GetRequiredValue(app), r.GetRequiredValue(message), cancellationToken: ct);
            Printer.One(context, r.GetValue(json), found, Headers, Row);
            if (!r.GetValue(json))
            {
                await context.Output.WriteLineAsync(found.Payload.ToString());
            }

            return HeraldCli.Ok;
        }));
        return command;
    }
}
