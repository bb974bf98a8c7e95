using System.Text;
using System.Text.Json;
using Herald.Server.Api;
using Herald.Server.Endpoints;
using Herald.Server.Messages;
using Herald.Server.Storage;

namespace Herald.Server.Delivery;

/// <summary>Sending again what failed, on demand: resend one message, recover an endpoint, send an example; and an endpoint's stats.</summary>
internal static class ReplayApi
{
    public static RouteGroupBuilder MapReplay(this RouteGroupBuilder api)
    {
        var app = api.MapGroup("/app/{app_id}").WithTags("Message attempts");
        app.MapPost("/msg/{msg_id}/endpoint/{endpoint_id}/resend", ResendAsync)
            .WithSummary("Send a message to an endpoint once more (one try, whatever happened before).");
        app.MapPost("/endpoint/{endpoint_id}/recover", RecoverAsync).Accepts<RecoverIn>("application/json")
            .WithSummary("Send again every message whose delivery to this endpoint failed since a time.");
        app.MapPost("/endpoint/{endpoint_id}/send-example", SendExampleAsync).Accepts<EventExampleIn>("application/json")
            .WithSummary("Send an example message of an event type to this endpoint only.");
        app.MapGet("/endpoint/{endpoint_id}/stats", StatsAsync).WithSummary("How many messages of this endpoint succeeded, are pending or failed.");
        return app;
    }

    private static async Task<Accepted<EmptyResponse>> ResendAsync(
        string app_id, string msg_id, string endpoint_id, HttpContext context, IHeraldStore store, DeliveryQueue queue, DeliveryNode node, TimeProvider time)
    {
        var endpoint = await context.FindEndpointAsync(store, app_id, endpoint_id);
        var message = await store.GetMessageAsync(endpoint.ApplicationId, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        if (message.Payload is null)
        {
            throw ApiException.Conflict("This message's payload was expunged; it cannot be sent again.", "payload_expunged");
        }

        if (endpoint.Disabled)
        {
            throw ApiException.Conflict("The endpoint is disabled; enable it before resending to it.", "endpoint_disabled");
        }

        var created = await store.CreateManualDeliveriesAsync(endpoint.Id, [message.Id], node.NewLease(), time.Now(), CancellationToken.None);
        await queue.EnqueueAsync(created);
        return TypedResults.Accepted((string?)null, new EmptyResponse());
    }

    private static async Task<Accepted<RecoverOut>> RecoverAsync(
        string app_id, string endpoint_id, HttpContext context, IHeraldStore store, DeliveryQueue queue, DeliveryNode node, Ids ids, TimeProvider time)
    {
        var endpoint = await context.FindEndpointAsync(store, app_id, endpoint_id);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.RecoverIn, context.RequestAborted);
        var v = new Validator();
        if (v.Required("body.since", body.Value.Since) && body.Value.Until is { } until && until <= body.Value.Since)
        {
            v.Add("body.until", "invalid_value", "must be after since.");
        }

        v.ThrowIfInvalid();
        if (endpoint.Disabled)
        {
            throw ApiException.Conflict("The endpoint is disabled; enable it before recovering it.", "endpoint_disabled");
        }

        var failed = await store.ListFailedMessagesAsync(endpoint.Id, body.Value.Since!.Value, body.Value.Until, context.RequestAborted);
        var now = time.Now();
        var created = await store.CreateManualDeliveriesAsync(endpoint.Id, failed, node.NewLease(), now, CancellationToken.None);
        await queue.EnqueueAsync(created);
        // The resends are queued durably before this answer, so the task is complete from the caller's view.
        return TypedResults.Accepted((string?)null, new RecoverOut(ids.New("qtask_"), "finished", "endpoint.recover", now));
    }

    private static async Task<Accepted<MessageOut>> SendExampleAsync(
        string app_id, string endpoint_id, HttpContext context, IHeraldStore store, MessagePublisher publisher, Ids ids, TimeProvider time)
    {
        var endpoint = await context.FindEndpointAsync(store, app_id, endpoint_id);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EventExampleIn, context.RequestAborted);
        var v = new Validator();
        v.Identifier("body.eventType", body.Value.EventType, required: true).Range("body.exampleIndex", body.Value.ExampleIndex, 0, 1000);
        v.ThrowIfInvalid();
        var eventType = await store.GetEventTypeAsync(body.Value.EventType!, context.RequestAborted);
        var payload = Example(eventType?.Schemas, body.Value.ExampleIndex ?? 0)
            ?? Encoding.UTF8.GetBytes($$"""{"eventType":"{{body.Value.EventType}}","example":true}""");
        var message = await publisher.PublishAsync(new NewMessage
        {
            Id = ids.New(Ids.Message),
            ApplicationId = endpoint.ApplicationId,
            EventType = body.Value.EventType!,
            Payload = payload,
            Tags = ["example"],
            CreatedAt = time.Now(),
            TargetEndpointId = endpoint.Id,
        });
        return TypedResults.Accepted((string?)null, MessageOut.From(message, withContent: true));
    }

    /// <summary>The n-th example of the newest schema version (<c>{"1": {"examples": [...]}}</c>), if there is one and it is an object.</summary>
    private static byte[]? Example(string? schemas, int index)
    {
        if (schemas is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(schemas);
        var newest = document.RootElement.EnumerateObject().LastOrDefault();
        return newest.Value.ValueKind == JsonValueKind.Object
            && newest.Value.TryGetProperty("examples", out var examples) && examples.ValueKind == JsonValueKind.Array
            && index < examples.GetArrayLength() && examples[index].ValueKind == JsonValueKind.Object
            ? Encoding.UTF8.GetBytes(examples[index].GetRawText())
            : null;
    }

    private static async Task<Ok<EndpointStats>> StatsAsync(string app_id, string endpoint_id, HttpContext context, IHeraldStore store)
    {
        var endpoint = await context.FindEndpointAsync(store, app_id, endpoint_id);
        var v = new Validator();
        var since = MessagesApi.ParseTime(v, context.Request, "since");
        var until = MessagesApi.ParseTime(v, context.Request, "until");
        v.ThrowIfInvalid();
        var counts = await store.CountEndpointDeliveriesAsync(endpoint.Id, since, until, context.RequestAborted);
        return TypedResults.Ok(new EndpointStats(counts.Success, counts.Pending, counts.Sending, counts.Fail, counts.Canceled));
    }
}
