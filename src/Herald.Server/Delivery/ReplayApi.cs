using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Cluster;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.BackgroundTasks;
using Herald.Server.Endpoints;
using Herald.Server.EventTypes;
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
            .WithSummary("Send a message to an endpoint once more (one try, whatever happened before).")
            .WithDescription("Queues one manual attempt of the message to the endpoint, not retried on failure. 409 when the endpoint is disabled or the payload was expunged. Answers 202.");
        app.MapPost("/endpoint/{endpoint_id}/recover", RecoverAsync).Accepts<RecoverIn>("application/json")
            .WithSummary("Send again every message whose delivery to this endpoint failed since a time (a background task).")
            .WithDescription("Starts an endpoint.recover task: messages whose delivery failed for good in [since, until) and that were not delivered since "
                + "are sent once more. Its data.messagesSent counts them. 409 when the endpoint is disabled.");
        app.MapPost("/endpoint/{endpoint_id}/replay-missing", ReplayMissingAsync).Accepts<ReplayIn>("application/json")
            .WithSummary("Send this endpoint the messages it never got (a background task).")
            .WithDescription("Starts an endpoint.replay task: messages created in [since, until) that were never routed to this endpoint (published before it "
                + "existed, or while its filters excluded them) and that its current event-type and channel filters accept are sent to it. Messages already "
                + "sent to it are not resent; expunged ones are skipped. 409 when the endpoint is disabled.");
        app.MapPost("/endpoint/{endpoint_id}/bulk-replay", BulkReplayAsync).Accepts<BulkReplayIn>("application/json")
            .WithSummary("Send this endpoint again the messages it was sent (a background task).")
            .WithDescription("Starts an endpoint.bulk-replay task: messages created in [since, until) that were routed to this endpoint, successful or failed, "
                + "narrowed by eventTypes, channel, tag, status (the message's delivery status to this endpoint) and statusCodeClass (an attempt to this "
                + "endpoint answered with that class), are sent once more. 409 when the endpoint is disabled.");
        app.MapPost("/endpoint/{endpoint_id}/send-example", SendExampleAsync).Accepts<EventExampleIn>("application/json")
            .WithSummary("Send an example message of an event type to this endpoint only.")
            .WithDescription("Publishes a message of the event type whose payload is the example at exampleIndex of its schema (or `{\"eventType\": …, \"example\": true}` without one) and routes it to this endpoint only. Answers 202 with the message.");
        app.MapGet("/endpoint/{endpoint_id}/stats", StatsAsync).WithSummary("How many messages of this endpoint succeeded, are pending or failed.")
            .WithDescription("Counts of the endpoint's deliveries by status: success, pending, sending, fail, canceled; and concurrencyLimit, the attempts this node may have in flight to it now (adaptive).");
        return app;
    }

    private static async Task<Accepted<EmptyResponse>> ResendAsync(
        CurrentApplication app, string msg_id, string endpoint_id, HttpContext context, IEndpointStore endpoints, IDeliveryStore deliveries, IMessageStore messages,
        DeliveryQueue queue, DeliveryNode node, TimeProvider time)
    {
        var endpoint = await app.FindEndpointAsync(endpoints, endpoint_id, context.RequestAborted);
        await ResendMessageAsync(endpoint, msg_id, deliveries, messages, queue, node, time, context.RequestAborted);
        return TypedResults.Accepted((string?)null, new EmptyResponse());
    }

    private static async Task<Accepted<RecoverOut>> RecoverAsync(CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore store, BackgroundTaskQueue tasks)
    {
        var endpoint = await app.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.RecoverIn, context.RequestAborted);
        var task = await StartRecoverAsync(endpoint, body.Value.Since, body.Value.Until, tasks);
        return TypedResults.Accepted((string?)null, new RecoverOut(task.Id, task.Status, task.Kind, task.UpdatedAt));
    }

    /// <summary>Resend's rules and work, shared by REST and GraphQL: one manual attempt of the message to the endpoint (404, 409s as documented).</summary>
    public static async Task ResendMessageAsync(
        HeraldEndpoint endpoint, string msg_id, IDeliveryStore deliveries, IMessageStore messages, DeliveryQueue queue, DeliveryNode node, TimeProvider time, CancellationToken cancellationToken)
    {
        var message = await messages.GetMessageAsync(endpoint.ApplicationId, msg_id, cancellationToken) ?? throw ApiException.NotFound("Message");
        if (message.Payload is null)
        {
            throw ApiException.Conflict("This message's payload was expunged; it cannot be sent again.", "payload_expunged");
        }

        if (endpoint.Disabled)
        {
            throw ApiException.Conflict("The endpoint is disabled; enable it before resending to it.", "endpoint_disabled");
        }

        var created = await deliveries.CreateManualDeliveriesAsync(endpoint.Id, [message.Id], node.NewLease(), time.Now(), CancellationToken.None);
        await queue.EnqueueAsync(created, cancellationToken);
    }

    /// <summary>Recover's rules and work, shared by REST and GraphQL: checks the window and starts the endpoint.recover task.</summary>
    public static Task<BackgroundTask> StartRecoverAsync(HeraldEndpoint endpoint, DateTimeOffset? since, DateTimeOffset? until, BackgroundTaskQueue tasks) =>
        StartAsync(tasks, BackgroundTaskKinds.EndpointRecover, endpoint, Window(since, until, new Validator()));

    private static async Task<Accepted<ReplayOut>> ReplayMissingAsync(CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore store, BackgroundTaskQueue tasks)
    {
        var endpoint = await app.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.ReplayIn, context.RequestAborted);
        var input = Window(body.Value.Since, body.Value.Until, new Validator());
        return TypedResults.Accepted((string?)null, ReplayOut.From(await StartAsync(tasks, BackgroundTaskKinds.EndpointReplay, endpoint, input)));
    }

    private static async Task<Accepted<ReplayOut>> BulkReplayAsync(CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore store, BackgroundTaskQueue tasks)
    {
        var endpoint = await app.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.BulkReplayIn, context.RequestAborted);
        var filters = body.Value;
        var v = new Validator()
            .Names("body.eventTypes", filters.EventTypes, 256)
            .Channels("body.channel", filters.Channel is null ? null : [filters.Channel], 1)
            .Identifier("body.tag", filters.Tag);
        if (filters.Status is { } status && (status < 0 || status > 4))
        {
            v.Add("body.status", "invalid_value", "must be a MessageStatus: 0 success, 1 pending, 2 fail, 3 sending, 4 canceled.");
        }

        if (filters.StatusCodeClass is { } codeClass && codeClass is not (0 or 100 or 200 or 300 or 400 or 500))
        {
            v.Add("body.statusCodeClass", "invalid_value", "must be 0, 100, 200, 300, 400 or 500.");
        }

        var input = Window(filters.Since, filters.Until, v);
        input["eventTypes"] = filters.EventTypes is { Count: > 0 } types ? new JsonArray([.. types.Distinct().Select(t => (JsonNode)t)]) : null;
        input["channel"] = filters.Channel;
        input["tag"] = filters.Tag;
        input["status"] = filters.Status;
        input["statusCodeClass"] = filters.StatusCodeClass;
        return TypedResults.Accepted((string?)null, ReplayOut.From(await StartAsync(tasks, BackgroundTaskKinds.EndpointBulkReplay, endpoint, input)));
    }

    /// <summary>Validates <c>since</c> (required) and <c>until</c> (after it) with whatever <paramref name="v"/> already found; throws 422 on any error.</summary>
    private static JsonObject Window(DateTimeOffset? since, DateTimeOffset? until, Validator v)
    {
        if (v.Required("body.since", since) && until is { } end && end <= since)
        {
            v.Add("body.until", "invalid_value", "must be after since.");
        }

        v.ThrowIfInvalid();
        return new JsonObject { ["since"] = since!.Value, ["until"] = until };
    }

    /// <summary>As resend: a disabled endpoint is refused (409) rather than given work it would never do.</summary>
    private static async Task<BackgroundTask> StartAsync(BackgroundTaskQueue tasks, string kind, HeraldEndpoint endpoint, JsonObject input)
    {
        if (endpoint.Disabled)
        {
            throw ApiException.Conflict("The endpoint is disabled; enable it before sending to it again.", "endpoint_disabled");
        }

        input["endpointId"] = endpoint.Id;
        return await tasks.StartAsync(kind, endpoint.ApplicationId, input, CancellationToken.None);
    }

    private static async Task<Accepted<MessageOut>> SendExampleAsync(
        CurrentApplication app, string endpoint_id, HttpContext context, IEndpointStore endpoints, IEventTypeStore eventTypes, MessagePublisher publisher, Ids ids, TimeProvider time,
        PayloadSchemas schemas)
    {
        var endpoint = await app.FindEndpointAsync(endpoints, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EventExampleIn, context.RequestAborted);
        var v = new Validator();
        v.Identifier("body.eventType", body.Value.EventType, required: true).Range("body.exampleIndex", body.Value.ExampleIndex, 0, 1000);
        v.ThrowIfInvalid();
        // As Svix: an example is of an event type that exists (404 otherwise, rather than a message of an unknown type).
        var eventType = await eventTypes.GetEventTypeAsync(body.Value.EventType!, context.RequestAborted) ?? throw ApiException.NotFound("Event type");
        var payload = Example(eventType.Schemas, body.Value.ExampleIndex ?? 0)
            ?? Generated(eventType, schemas)
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
        }, cancellationToken: context.RequestAborted);
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

    /// <summary>
    /// Without examples, a minimal instance generated from the newest schema version (<see cref="SchemaExample"/>), if it
    /// is an object and valid against that schema; else null (the placeholder payload).
    /// </summary>
    private static byte[]? Generated(EventType eventType, PayloadSchemas schemas)
    {
        if (eventType.Schemas is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(eventType.Schemas);
        var newest = PayloadSchemas.Newest(document.RootElement);
        if (newest.ValueKind != JsonValueKind.Object || SchemaExample.Generate(newest) is not JsonObject example)
        {
            return null;
        }

        var bytes = Encoding.UTF8.GetBytes(example.ToJsonString());
        using var instance = JsonDocument.Parse(bytes);
        return schemas.IsValid(eventType, instance.RootElement) ? bytes : null;
    }

    private static async Task<Ok<EndpointStats>> StatsAsync(
        CurrentApplication app, string endpoint_id, HttpContext context, IAttemptStore attempts, IEndpointStore endpoints, EndpointLimits limits)
    {
        var endpoint = await app.FindEndpointAsync(endpoints, endpoint_id, context.RequestAborted);
        var v = new Validator();
        var since = v.QueryTime(context.Request, "since");
        var until = v.QueryTime(context.Request, "until");
        v.ThrowIfInvalid();
        var counts = await attempts.CountEndpointDeliveriesAsync(endpoint.Id, since, until, context.RequestAborted);
        return TypedResults.Ok(new EndpointStats(counts.Success, counts.Pending, counts.Sending, counts.Fail, counts.Canceled)
        {
            ConcurrencyLimit = limits.CurrentLimit(endpoint.Id),
        });
    }
}
