using System.CommandLine;
using System.Text.Json;
using Herald.Cli.Output;
using Herald.Client;

namespace Herald.Cli.Commands;

/// <summary>
/// <c>herald trigger &lt;event-type&gt; --app</c>: publishes the event type's example, like <c>stripe trigger</c>. To every
/// endpoint (and <c>listen</c>) of the application by default; with <c>--endpoint</c>, through the API's send-example
/// route, to that endpoint only.
/// </summary>
internal static class TriggerCommand
{
    public static Command Create(CliContext context)
    {
        var app = CommonOptions.App();
        var eventType = new Argument<string>("event-type") { Description = "The event type, e.g. invoice.paid; it must exist ('herald event-types list')." };
        var endpoint = new Option<string>("--endpoint") { Description = "Send it to this endpoint only (id or uid), as the API's send-example does." };
        var example = new Option<int?>("--example")
        {
            Description = "Which of the schema's examples (default 0, the first).",
            HelpName = "index",
            CustomParser = OptionRules.IntegerIn(0, 1000),
        };
        var command = new Command("trigger", "Publish an example event: the payload is the example in the event type's newest schema "
            + "(or {\"eventType\": ..., \"example\": true} without one). Run 'herald listen' in another terminal to see it arrive.")
        {
            eventType, app, endpoint, example,
        };
        command.SetAction(context.Run(async (r, herald, ct) =>
        {
            var (appId, type, index) = (r.GetRequiredValue(app), r.GetRequiredValue(eventType), r.GetValue(example) ?? 0);
            MessageOut sent;
            if (r.GetValue(endpoint) is { } endpointId)
            {
                sent = await herald.Endpoints.SendExampleAsync(appId, endpointId, new EventExampleIn { EventType = type, ExampleIndex = index }, cancellationToken: ct);
            }
            else
            {
                var found = await herald.EventTypes.GetAsync(type, ct);
                var payload = Example(found.Schemas, index) ?? JsonSerializer.SerializeToElement(new Dictionary<string, object> { ["eventType"] = type, ["example"] = true });
                sent = await herald.Messages.CreateAsync(appId, new MessageIn { EventType = type, Payload = payload, Tags = ["example"] }, cancellationToken: ct);
            }

            Printer.One(context, r.GetValue(context.Options.Json), sent, ["ID", "EVENT TYPE", "EVENT ID", "TIMESTAMP"], MessagesCommand.Row);
            return HeraldCli.Ok;
        }));
        return command;
    }

    /// <summary>
    /// The n-th example of the newest schema version (<c>{"1": {"examples": [...]}}</c>), if it is an object; the same
    /// choice the server's send-example makes.
    /// </summary>
    internal static JsonElement? Example(JsonElement? schemas, int index)
    {
        if (schemas is not { ValueKind: JsonValueKind.Object } versions)
        {
            return null;
        }

        var newest = versions.EnumerateObject().LastOrDefault();
        return newest.Value.ValueKind == JsonValueKind.Object
            && newest.Value.TryGetProperty("examples", out var examples) && examples.ValueKind == JsonValueKind.Array
            && index < examples.GetArrayLength() && examples[index].ValueKind == JsonValueKind.Object
            ? examples[index].Clone()
            : null;
    }
}
