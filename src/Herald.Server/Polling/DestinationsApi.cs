using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Polling;

/// <summary><c>/app/{app_id}/destination</c>: polling endpoints, created as the Svix SDK creates destinations.</summary>
internal static class DestinationsApi
{
    public const string PollingEndpointType = "pollingEndpoint";
    public const string IdPrefix = "sink_";

    public static RouteGroupBuilder MapDestinations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app/{app_id}/destination").WithTags("Polling endpoints");
        group.MapGet("/", ListAsync).WithSummary("List the application's polling endpoints.")
            .WithDescription("Oldest first unless order=descending; paged with limit and iterator.");
        group.MapPost("/", CreateAsync).Accepts<DestinationIn>("application/json").WithSummary("Create a polling endpoint (type: pollingEndpoint).")
            .WithDescription("Answers 201. Its event types must exist; a uid already taken is a 409. Read it with /app/{app_id}/poller/{sink_id}.");
        group.MapGet("/{destination_id}", GetAsync).WithSummary("Get a polling endpoint by id or uid.")
            .WithDescription("`destination_id` is its id or uid.");
        group.MapPut("/{destination_id}", UpsertAsync).Accepts<DestinationIn>("application/json").WithSummary("Replace a polling endpoint, or create it with this uid.")
            .WithDescription("Replaces it with the body; when nothing has this id or uid, creates it with `destination_id` as its uid (201); else 200.");
        group.MapPatch("/{destination_id}", PatchAsync).Accepts<DestinationIn>("application/json").WithSummary("Change some fields of a polling endpoint.")
            .WithDescription("Only the fields present in the body change.");
        group.MapDelete("/{destination_id}", DeleteAsync).WithSummary("Delete a polling endpoint and its consumers' cursors.")
            .WithDescription("Answers 204; messages stay in the application.");
        return group;
    }

    private static async Task ValidateAsync(Validator v, DestinationIn input, IEventTypeStore store, bool partial, CancellationToken cancellationToken)
    {
        if (!partial || input.Type is not null)
        {
            if (v.Required("body.type", input.Type) && input.Type != PollingEndpointType)
            {
                v.Add("body.type", "unsupported_destination_type", input.Type == "fifoEndpoint"
                    ? "Herald has FIFO as a setting of webhook endpoints: create one under /endpoint with \"fifo\": true."
                    : $"Herald supports destinations of type '{PollingEndpointType}' (webhook endpoints live under /endpoint).");
            }
        }

        // A polling endpoint has nothing to configure: an empty object (what answers carry) or null is all it takes.
        if (input.Config is { ValueKind: not (System.Text.Json.JsonValueKind.Null or System.Text.Json.JsonValueKind.Undefined) } config
            && (config.ValueKind != System.Text.Json.JsonValueKind.Object || config.EnumerateObject().Any()))
        {
            v.Add("body.config", "unsupported", "a polling endpoint takes no configuration; send {} or leave it out.");
        }

        if (input.Status is not null and not ("enabled" or "disabled"))
        {
            v.Add("body.status", "invalid_value", "must be 'enabled' or 'disabled'.");
        }

        v.Batching(input)
            .Identifier("body.uid", input.Uid, forbiddenPrefix: IdPrefix)
            .Channels("body.channels", input.Channels)
            .Names("body.eventTypes", input.EventTypes, 256)
            .Metadata("body.metadata", input.Metadata);
        if (v.IsValid && input.EventTypes is { Count: > 0 } names)
        {
            foreach (var missing in await store.FindMissingEventTypesAsync(names.Distinct().ToList(), cancellationToken))
            {
                v.Add("body.eventTypes", "unknown_event_type", $"'{missing}' is not an event type (or it is archived); create it first.");
            }
        }

        v.ThrowIfInvalid();
    }

    private static IReadOnlyList<string>? Normalize(IReadOnlyList<string>? list) =>
        list is null or { Count: 0 } ? null : list.Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The polling endpoint of the route's application by id or uid; else 404.</summary>
    public static async Task<PollingEndpoint> FindPollingEndpointAsync(this CurrentApplication application, IPollingStore store, string id, CancellationToken cancellationToken) =>
        await store.GetPollingEndpointAsync(application.Value.Id, id, cancellationToken) ?? throw ApiException.NotFound("Polling endpoint");

    private static async Task<Ok<ListResponse<DestinationOut>>> ListAsync(CurrentApplication app, [AsParameters] ListQuery query, HttpContext context, IPollingStore store)
    {
        var application = app.Value;
        var page = Paging.Parse(query, key => Ids.IsValid(IdPrefix, key), descendingByDefault: false);
        var result = await store.ListPollingEndpointsAsync(application.Id, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, e => e.Id, DestinationOut.From));
    }

    private static async Task<Created<DestinationOut>> CreateAsync(CurrentApplication app, HttpContext context, IPollingStore store, IEventTypeStore eventTypes, Ids ids, TimeProvider time)
    {
        var application = app.Value;
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.DestinationIn, context.RequestAborted);
        await ValidateAsync(new Validator(), body.Value, eventTypes, partial: false, context.RequestAborted);
        var endpoint = New(application.Id, body.Value, ids, time);
        await store.CreatePollingEndpointAsync(endpoint, context.RequestAborted);
        return TypedResults.Created($"/api/v1/app/{application.Id}/destination/{endpoint.Id}", DestinationOut.From(endpoint));
    }

    private static async Task<Ok<DestinationOut>> GetAsync(CurrentApplication app, string destination_id, HttpContext context, IPollingStore store) =>
        TypedResults.Ok(DestinationOut.From(await app.FindPollingEndpointAsync(store, destination_id, context.RequestAborted)));

    private static async Task<Results<Created<DestinationOut>, Ok<DestinationOut>>> UpsertAsync(
        CurrentApplication app, string destination_id, HttpContext context, IPollingStore store, IEventTypeStore eventTypes, Ids ids, TimeProvider time)
    {
        var application = app.Value;
        var existing = await store.GetPollingEndpointAsync(application.Id, destination_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.DestinationIn, context.RequestAborted);
        var v = new Validator();
        if (existing is null)
        {
            v.Identifier("path.destination_id", destination_id, forbiddenPrefix: IdPrefix);
            if (body.Value.Uid is not null && body.Value.Uid != destination_id)
            {
                v.Add("body.uid", "invalid_value", "must equal the destination_id of the path when the polling endpoint is created.");
            }
        }

        await ValidateAsync(v, body.Value, eventTypes, partial: false, context.RequestAborted);
        if (existing is null)
        {
            var created = New(application.Id, body.Value with { Uid = destination_id }, ids, time);
            await store.CreatePollingEndpointAsync(created, context.RequestAborted);
            return TypedResults.Created($"/api/v1/app/{application.Id}/destination/{created.Id}", DestinationOut.From(created));
        }

        var updated = existing with
        {
            Uid = body.Value.Uid,
            EventTypes = Normalize(body.Value.EventTypes),
            Channels = Normalize(body.Value.Channels),
            Metadata = body.Value.Metadata ?? [],
            Disabled = body.Value.Status == "disabled",
            UpdatedAt = time.Now(),
        };
        await store.UpdatePollingEndpointAsync(updated, context.RequestAborted);
        return TypedResults.Ok(DestinationOut.From(updated));
    }

    private static async Task<Ok<DestinationOut>> PatchAsync(CurrentApplication app, string destination_id, HttpContext context, IPollingStore store, IEventTypeStore eventTypes, TimeProvider time)
    {
        var existing = await app.FindPollingEndpointAsync(store, destination_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.DestinationIn, context.RequestAborted);
        await ValidateAsync(new Validator(), body.Value, eventTypes, partial: true, context.RequestAborted);
        var updated = existing with
        {
            Uid = body.Has("uid") ? body.Value.Uid : existing.Uid,
            EventTypes = body.Has("eventTypes") ? Normalize(body.Value.EventTypes) : existing.EventTypes,
            Channels = body.Has("channels") ? Normalize(body.Value.Channels) : existing.Channels,
            Metadata = body.Has("metadata") ? body.Value.Metadata ?? [] : existing.Metadata,
            Disabled = body.Value.Status is { } status ? status == "disabled" : existing.Disabled,
            UpdatedAt = time.Now(),
        };
        await store.UpdatePollingEndpointAsync(updated, context.RequestAborted);
        return TypedResults.Ok(DestinationOut.From(updated));
    }

    private static async Task<NoContent> DeleteAsync(CurrentApplication app, string destination_id, HttpContext context, IPollingStore store)
    {
        var existing = await app.FindPollingEndpointAsync(store, destination_id, context.RequestAborted);
        await store.DeletePollingEndpointAsync(existing.ApplicationId, existing.Id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static PollingEndpoint New(string applicationId, DestinationIn input, Ids ids, TimeProvider time)
    {
        var now = time.Now();
        return new PollingEndpoint
        {
            Id = ids.New(IdPrefix),
            ApplicationId = applicationId,
            Uid = input.Uid,
            EventTypes = Normalize(input.EventTypes),
            Channels = Normalize(input.Channels),
            Metadata = input.Metadata ?? [],
            Disabled = input.Status == "disabled",
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
