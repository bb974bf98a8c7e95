using System.ComponentModel;
using System.Text.Json;
using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.EventTypes;
using Herald.Server.Retention;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Messages;

internal static class MessagesApi
{
    public const int MaxTags = 5;

    public static RouteGroupBuilder MapMessages(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app/{app_id}/msg").WithTags("Messages");
        group.MapGet("/", ListAsync).WithSummary("List an application's messages, newest first; filters: event_types, channel, tag, before, after.")
            .WithDescription("Newest first, in the order messages committed (the application's log; the id order except between publishes that raced); paged with limit and iterator. with_content=false leaves payloads out.");
        group.MapPost("/", CreateAsync).Accepts<MessageIn>("application/json")
            .WithSummary("Publish a message. It is stored durably before the answer (202); with deliverAt its webhooks wait until then.")
            .WithDescription("Answers 202 with the message once it is committed. Endpoints of the application whose event types and channels match get a webhook, retried on failure. With the body's application and an `app_id` uid that does not exist, the application is created. deliverAt (1 minute to 24 hours ahead) delays the webhooks; payloadRetentionPeriod (1–90 days) or payloadRetentionHours (1–2160) sets when the payload is deleted.");
        group.MapGet("/{msg_id}", GetAsync).WithSummary("Get a message by id or eventId.")
            .WithDescription("`msg_id` is the `msg_…` id or the eventId given at publish. with_content=false leaves the payload out.");
        group.MapDelete("/{msg_id}/content", ExpungeContentAsync).WithSummary("Delete a message's payload; its metadata stays.")
            .WithDescription("The payload is deleted for good and answers show `{}`; pending deliveries of it are canceled. Answers 204.");
        return group;
    }

    private static async Task<Accepted<MessageOut>> CreateAsync(
        string app_id, CurrentApplication app, HttpContext context, IApplicationStore applications, IEventTypeStore eventTypes, Ids ids, TimeProvider time, MessagePublisher publisher,
        IOptions<RetentionOptions> retention, PayloadSchemas schemas,
        [Description("false leaves the payload out of the answer (default true).")] bool? with_content)
    {
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.MessageIn, context.RequestAborted);
        var stored = await PublishAsync(app_id, app, body, context.User, applications, eventTypes, ids, time, publisher, retention, schemas, context.RequestAborted);
        return TypedResults.Accepted($"/api/v1/app/{stored.ApplicationId}/msg/{stored.Id}", MessageOut.From(stored, with_content ?? true));
    }

    /// <summary>Publish's rules and work, shared by REST and GraphQL: validates the body and publishes (creating the application when asked).</summary>
    public static async Task<Message> PublishAsync(
        string app_id, CurrentApplication app, JsonBody<MessageIn> body, System.Security.Claims.ClaimsPrincipal user, IApplicationStore applications, IEventTypeStore eventTypes, Ids ids, TimeProvider time,
        MessagePublisher publisher, IOptions<RetentionOptions> retention, PayloadSchemas schemas, CancellationToken cancellationToken)
    {
        var now = time.Now();
        var input = body.Value;
        var v = new Validator();
        v.Identifier("body.eventType", input.EventType, required: true)
            .Identifier("body.eventId", input.EventId)
            .Channels("body.channels", input.Channels)
            .Names("body.tags", input.Tags, MaxTags);
        if (input.Payload is not { ValueKind: JsonValueKind.Object })
        {
            v.Add("body.payload", input.Payload is null ? "missing" : "invalid_type", "must be a JSON object.");
        }

        MessageLifecycle.Validate(v, input, now);

        if (input.Application is not null)
        {
            ApplicationsApi.Validate(v, input.Application, "body.application");
        }

        v.ThrowIfInvalid();
        var eventType = await eventTypes.GetEventTypeAsync(input.EventType!, cancellationToken);
        if (eventType is { Archived: true })
        {
            throw ApiException.Invalid("body.eventType", "event_type_archived", $"'{input.EventType}' is archived; unarchive it to publish with it.");
        }

        schemas.Enforce(input.EventType!, eventType, input.Payload!.Value);

        var (application, create) = ResolveApplication(app_id, app, input, user, ids, time);
        var message = new NewMessage
        {
            Id = ids.New(Ids.Message),
            ApplicationId = application.Id,
            EventId = input.EventId,
            EventType = input.EventType!,
            Payload = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(input.Payload!.Value).ToArray(),
            Channels = input.Channels is { Count: > 0 } c ? c.Distinct().ToList() : null,
            Tags = input.Tags is { Count: > 0 } t ? t.Distinct().ToList() : null,
            CreatedAt = now,
            DeliverAt = MessageLifecycle.DeliverAt(input),
            PayloadExpiresAt = MessageLifecycle.PayloadExpiresAt(input, now, retention.Value.DefaultPayloadRetention),
        };

        Message stored;
        try
        {
            stored = await publisher.PublishAsync(message, create, cancellationToken);
        }
        catch (StorageConflictException e) when (e.Field == "uid" && create is not null)
        {
            // A concurrent request created the same application first: publish into it.
            var winner = await applications.GetApplicationAsync(app_id, cancellationToken);
            if (winner is null)
            {
                throw;
            }

            stored = await publisher.PublishAsync(message with { ApplicationId = winner.Id }, cancellationToken: cancellationToken);
        }

        return stored;
    }

    /// <summary>
    /// The route's application; or, for an admin naming by uid one that does not exist, the one the body's
    /// <c>application</c> defines, to be created with the message (ApiAccess already answered 404 to anyone else).
    /// </summary>
    private static (Application Application, Application? Create) ResolveApplication(
        string app_id, CurrentApplication app, MessageIn input, System.Security.Claims.ClaimsPrincipal user, Ids ids, TimeProvider time)
    {
        if (app.ValueOrNull is { } existing)
        {
            return (existing, null);
        }

        if (input.Application is not null && user.IsAdmin()
            && !Ids.IsValid(Ids.Application, app_id) && Validator.IdentifierPattern().IsMatch(app_id))
        {
            if (input.Application.Uid is not null && input.Application.Uid != app_id)
            {
                throw ApiException.Invalid("body.application.uid", "invalid_value", "must equal the app_id of the path.");
            }

            var created = ApplicationsApi.NewApplication(input.Application with { Uid = app_id }, ids, time);
            return (created, created);
        }

        throw ApiException.NotFound("Application");
    }

    private static async Task<Ok<MessageOut>> GetAsync(CurrentApplication app, string msg_id, HttpContext context, IMessageStore store,
        [Description("false leaves the payload out of the answer (default true).")] bool? with_content)
    {
        var application = app.Value;
        var message = await store.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        return TypedResults.Ok(MessageOut.From(message, with_content ?? true));
    }

    private static async Task<NoContent> ExpungeContentAsync(CurrentApplication app, string msg_id, HttpContext context, IMessageStore store)
    {
        var application = app.Value;
        var message = await store.GetMessageAsync(application.Id, msg_id, context.RequestAborted) ?? throw ApiException.NotFound("Message");
        await store.ExpungeMessageContentAsync(application.Id, message.Id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ListResponse<MessageOut>>> ListAsync(
        CurrentApplication app, [AsParameters] MessageListQuery query, HttpContext context, IMessageStore store, ContentGate gate)
    {
        var application = app.Value;
        var v = new Validator();
        var filter = query.ToFilter(v);
        v.ThrowIfInvalid();
        var withContent = query.WithContent ?? true;
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Message, key), descendingByDefault: true) with { MaxBytes = gate.PageByteBudget, WithContent = withContent };
        if (withContent)
        {
            await gate.HoldForAnswerAsync(context);
        }

        var result = await store.ListMessagesAsync(application.Id, filter, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, m => m.Id, m => MessageOut.From(m, withContent)));
    }
}
