using System.CommandLine;
using System.Text.Json;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary><c>herald event-types list|create</c>.</summary>
internal static class EventTypesCommand
{
    private static readonly string[] Headers = ["NAME", "DESCRIPTION", "ARCHIVED"];

    public static Command Create(CliContext context)
    {
        var json = context.Options.Json;
        return new Command("event-types", "Event types: the kinds of messages applications receive.")
        {
            List(context, json),
            CreateEventType(context, json),
        };
    }

    private static IReadOnlyList<string> Row(EventTypeOut type) => [type.Name, type.Description, type.Archived ? "yes" : "no"];

    private static Command List(CliContext context, Option<bool> json)
    {
        var limit = CommonOptions.Limit();
        var iterator = CommonOptions.Iterator();
        var archived = new Option<bool>("--include-archived") { Description = "Also list archived event types." };
        var command = new Command("list", "List event types.") { limit, iterator, archived };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var options = new EventTypeListOptions { Limit = r.GetValue(limit), Iterator = r.GetValue(iterator), IncludeArchived = r.GetValue(archived) };
            Printer.List(context, r.GetValue(json), await herald.EventTypes.ListAsync(options, ct), Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    private static Command CreateEventType(CliContext context, Option<bool> json)
    {
        var name = new Option<string>("--name") { Description = "The event type's name, e.g. invoice.paid.", Required = true };
        var description = new Option<string>("--description") { Description = "What the event means." };
        var schema = new Option<string>("--schema")
        {
            Description = "A JSON Schema of the payload (version 1), inline or @schema.json; Herald checks published payloads against it "
                + "when payload validation is on (docs/CONFIGURATION.md) and generates the example from it.",
        };
        var command = new Command("create", "Create an event type.") { name, description, schema };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            JsonElement? schemas = r.GetValue(schema) is { } value
                ? JsonSerializer.SerializeToElement(new Dictionary<string, JsonElement> { ["1"] = await InlineOrFile.ReadObjectAsync(value, ct, "--schema") })
                : null;
            var created = await herald.EventTypes.CreateAsync(
                new EventTypeIn { Name = r.GetRequiredValue(name), Description = r.GetValue(description), Schemas = schemas }, cancellationToken: ct);
            Printer.One(context, r.GetValue(json), created, Headers, Row);
            return HeraldCli.Ok;
        }));
        return command;
    }
}
