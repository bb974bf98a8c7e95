using System.ComponentModel;
using System.Text.Json;
using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.EventTypes;

internal static class EventTypesApi
{
    public static RouteGroupBuilder MapEventTypes(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/event-type").WithTags("Event types").RequireAdmin(writesOnly: true);
        group.MapGet("/", ListAsync).WithSummary("List event types; include_archived and with_content (schemas) are opt-in.")
            .WithDescription("Sorted by name; paged with limit and iterator. Archived event types and schemas are left out unless include_archived=true and with_content=true.");
        group.MapPost("/", CreateAsync).Accepts<EventTypeIn>("application/json").WithSummary("Create an event type, or unarchive an archived one (admin).")
            .WithDescription("Answers 201. A name already in use by a live event type is a 409; an archived one of that name is unarchived and updated instead. Admin tokens only.");
        group.MapGet("/{event_type_name}", GetAsync).WithSummary("Get an event type.")
            .WithDescription("Archived ones included, with their schemas. `event_type_name` is the name.");
        group.MapPut("/{event_type_name}", UpsertAsync).Accepts<EventTypeIn>("application/json").WithSummary("Replace or create an event type (admin).")
            .WithDescription("Every field is set from the body, the name from the path; 201 when created, 200 when replaced. Admin tokens only.");
        group.MapPatch("/{event_type_name}", PatchAsync).Accepts<EventTypeIn>("application/json").WithSummary("Change some fields of an event type (admin).")
            .WithDescription("Only the fields present in the body change. Admin tokens only.");
        group.MapDelete("/{event_type_name}", DeleteAsync).WithSummary("Archive an event type; with expunge=true delete it (admin).")
            .WithDescription("Archiving keeps it (hidden from lists, GET still finds it); expunge=true deletes it for good. Answers 204. Admin tokens only.");
        return group;
    }

    private static void Validate(Validator v, EventTypeIn input)
    {
        v.Text("body.description", input.Description, Validator.MaxDescriptionLength)
            .Identifier("body.groupName", input.GroupName)
            .Names("body.featureFlags", input.FeatureFlags, 10);
        if (input.Schemas is { } schemas && schemas.ValueKind != JsonValueKind.Null)
        {
            if (schemas.ValueKind != JsonValueKind.Object)
            {
                v.Add("body.schemas", "invalid_type", "must be an object of versioned JSON schemas, e.g. {\"1\": {\"type\": \"object\"}}.");
            }
            else
            {
                // Every version must build (JsonSchema.Net, draft 2020-12 unless its $schema says otherwise), so a
                // schema that could never validate a payload is refused here rather than at publish.
                PayloadSchemas.Check(v, schemas);
            }
        }
    }

    private static string? SchemasText(JsonElement? schemas) =>
        schemas is { ValueKind: not JsonValueKind.Null } s ? s.GetRawText() : null;

    private static async Task<Ok<ListResponse<EventTypeOut>>> ListAsync([AsParameters] EventTypeListQuery query, HttpContext context, IEventTypeStore store)
    {
        var page = Paging.Parse(query, key => Validator.IdentifierPattern().IsMatch(key), descendingByDefault: false);
        var result = await store.ListEventTypesAsync(page, query.IncludeArchived == true, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, e => e.Name, e => EventTypeOut.From(e, query.WithContent == true)));
    }

    private static async Task<Ok<EventTypeOut>> GetAsync(string event_type_name, HttpContext context, IEventTypeStore store) =>
        TypedResults.Ok(EventTypeOut.From(await store.GetEventTypeAsync(event_type_name, context.RequestAborted) ?? throw ApiException.NotFound("Event type")));

    private static async Task<Created<EventTypeOut>> CreateAsync(HttpContext context, IEventTypeStore store, TimeProvider time)
    {
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EventTypeIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        v.Identifier("body.name", input.Name, required: true);
        Validate(v, input);
        v.ThrowIfInvalid();

        var now = time.Now();
        var existing = await store.GetEventTypeAsync(input.Name!, context.RequestAborted);
        if (existing is { Archived: false })
        {
            throw ApiException.Conflict($"Event type '{input.Name}' already exists.");
        }

        var eventType = FromInput(input, input.Name!, existing?.CreatedAt ?? now, now) with { Archived = false };
        if (existing is null)
        {
            await store.CreateEventTypeAsync(eventType, context.RequestAborted);
        }
        else
        {
            await store.UpdateEventTypeAsync(eventType, context.RequestAborted);
        }

        return TypedResults.Created($"/api/v1/event-type/{eventType.Name}", EventTypeOut.From(eventType));
    }

    private static async Task<Results<Created<EventTypeOut>, Ok<EventTypeOut>>> UpsertAsync(
        string event_type_name, HttpContext context, IEventTypeStore store, TimeProvider time)
    {
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EventTypeIn, context.RequestAborted);
        var v = new Validator();
        v.Identifier("path.event_type_name", event_type_name, required: true);
        Validate(v, body.Value);
        v.ThrowIfInvalid();

        var now = time.Now();
        var existing = await store.GetEventTypeAsync(event_type_name, context.RequestAborted);
        var eventType = FromInput(body.Value, event_type_name, existing?.CreatedAt ?? now, now);
        if (existing is null)
        {
            await store.CreateEventTypeAsync(eventType, context.RequestAborted);
            return TypedResults.Created($"/api/v1/event-type/{eventType.Name}", EventTypeOut.From(eventType));
        }

        await store.UpdateEventTypeAsync(eventType, context.RequestAborted);
        return TypedResults.Ok(EventTypeOut.From(eventType));
    }

    private static async Task<Ok<EventTypeOut>> PatchAsync(string event_type_name, HttpContext context, IEventTypeStore store, TimeProvider time)
    {
        context.User.RequireAdmin();
        var existing = await store.GetEventTypeAsync(event_type_name, context.RequestAborted) ?? throw ApiException.NotFound("Event type");
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EventTypeIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        Validate(v, input);
        v.ThrowIfInvalid();
        var updated = existing with
        {
            Description = input.Description ?? existing.Description,
            Archived = input.Archived ?? existing.Archived,
            Deprecated = input.Deprecated ?? existing.Deprecated,
            Schemas = body.Has("schemas") ? SchemasText(input.Schemas) : existing.Schemas,
            GroupName = body.Has("groupName") ? input.GroupName : existing.GroupName,
            FeatureFlags = body.Has("featureFlags") ? input.FeatureFlags : existing.FeatureFlags,
            UpdatedAt = time.Now(),
        };
        await store.UpdateEventTypeAsync(updated, context.RequestAborted);
        return TypedResults.Ok(EventTypeOut.From(updated));
    }

    private static async Task<NoContent> DeleteAsync(string event_type_name, HttpContext context, IEventTypeStore store, TimeProvider time,
        [Description("true deletes the event type for good instead of archiving it (default false).")] bool? expunge)
    {
        context.User.RequireAdmin();
        var existing = await store.GetEventTypeAsync(event_type_name, context.RequestAborted) ?? throw ApiException.NotFound("Event type");
        if (expunge == true)
        {
            await store.DeleteEventTypeAsync(event_type_name, context.RequestAborted);
        }
        else if (!existing.Archived)
        {
            await store.UpdateEventTypeAsync(existing with { Archived = true, UpdatedAt = time.Now() }, context.RequestAborted);
        }

        return TypedResults.NoContent();
    }

    private static EventType FromInput(EventTypeIn input, string name, DateTimeOffset createdAt, DateTimeOffset now) => new()
    {
        Name = name,
        Description = input.Description ?? "",
        Archived = input.Archived ?? false,
        Deprecated = input.Deprecated ?? false,
        Schemas = SchemasText(input.Schemas),
        GroupName = input.GroupName,
        FeatureFlags = input.FeatureFlags,
        CreatedAt = createdAt,
        UpdatedAt = now,
    };
}
