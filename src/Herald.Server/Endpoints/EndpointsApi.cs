using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Endpoints;

internal static class EndpointsApi
{
    public static RouteGroupBuilder MapEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/app/{app_id}/endpoint").WithTags("Endpoints");
        group.MapGet("/", ListAsync).WithSummary("List an application's endpoints.");
        group.MapPost("/", CreateAsync).Accepts<EndpointIn>("application/json").WithSummary("Create an endpoint.");
        group.MapGet("/{endpoint_id}", GetAsync).WithSummary("Get an endpoint by id or uid.");
        group.MapPut("/{endpoint_id}", UpsertAsync).Accepts<EndpointIn>("application/json").WithSummary("Replace an endpoint, or create it with this uid.");
        group.MapPatch("/{endpoint_id}", PatchAsync).Accepts<EndpointIn>("application/json").WithSummary("Change some fields of an endpoint.");
        group.MapDelete("/{endpoint_id}", DeleteAsync).WithSummary("Delete an endpoint.");
        group.MapEndpointSecrets();
        group.MapEndpointHeaders();
        return group;
    }

    /// <summary>Checks fields common to create, upsert and patch; for patch only what is present.</summary>
    private static async Task ValidateAsync(Validator v, EndpointIn input, IHeraldStore store, bool partial, CancellationToken cancellationToken)
    {
        if (!partial || input.Url is not null)
        {
            v.Url("body.url", input.Url);
        }

        v.Text("body.description", input.Description, Validator.MaxDescriptionLength)
            .Identifier("body.uid", input.Uid, forbiddenPrefix: Ids.Endpoint)
            .Range("body.throttleRate", input.ThrottleRate, 1, ApplicationsApi.MaxThrottleRate)
            .Channels("body.channels", input.Channels)
            .Names("body.eventTypes", input.EventTypes, 256)
            .Metadata("body.metadata", input.Metadata);
        EndpointHeaders.Validate(v, "body.headers", input.Headers);
        if (input.Secret is not null && !EndpointSecret.IsValid(input.Secret))
        {
            v.Add("body.secret", "invalid_secret", EndpointSecret.Rule);
        }

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

    private static async Task<HeraldEndpoint> FindAsync(HttpContext context, IHeraldStore store, string app_id, string endpoint_id)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        return await store.GetEndpointAsync(application.Id, endpoint_id, context.RequestAborted) ?? throw ApiException.NotFound("Endpoint");
    }

    public static Task<HeraldEndpoint> FindEndpointAsync(this HttpContext context, IHeraldStore store, string app_id, string endpoint_id) =>
        FindAsync(context, store, app_id, endpoint_id);

    private static async Task<Ok<ListResponse<EndpointOut>>> ListAsync(string app_id, HttpContext context, IHeraldStore store)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        var page = Paging.Parse(context.Request, key => Ids.IsValid(Ids.Endpoint, key), descendingByDefault: false);
        var result = await store.ListEndpointsAsync(application.Id, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, e => e.Id, EndpointOut.From));
    }

    private static async Task<Created<EndpointOut>> CreateAsync(string app_id, HttpContext context, IHeraldStore store, Ids ids, TimeProvider time)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointIn, context.RequestAborted);
        await ValidateAsync(new Validator(), body.Value, store, partial: false, context.RequestAborted);
        var endpoint = NewEndpoint(application.Id, body.Value, ids, time);
        await store.CreateEndpointAsync(endpoint, new EndpointSecretKey(body.Value.Secret ?? EndpointSecret.New(), endpoint.CreatedAt), context.RequestAborted);
        return TypedResults.Created($"/api/v1/app/{application.Id}/endpoint/{endpoint.Id}", EndpointOut.From(endpoint));
    }

    private static async Task<Ok<EndpointOut>> GetAsync(string app_id, string endpoint_id, HttpContext context, IHeraldStore store) =>
        TypedResults.Ok(EndpointOut.From(await FindAsync(context, store, app_id, endpoint_id)));

    private static async Task<Results<Created<EndpointOut>, Ok<EndpointOut>>> UpsertAsync(
        string app_id, string endpoint_id, HttpContext context, IHeraldStore store, Ids ids, TimeProvider time)
    {
        var application = await context.GetApplicationAsync(store, app_id);
        var existing = await store.GetEndpointAsync(application.Id, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (existing is null)
        {
            v.Identifier("path.endpoint_id", endpoint_id, forbiddenPrefix: Ids.Endpoint);
            if (input.Uid is not null && input.Uid != endpoint_id)
            {
                v.Add("body.uid", "invalid_value", "must equal the endpoint_id of the path when the endpoint is created.");
            }
        }

        await ValidateAsync(v, input, store, partial: false, context.RequestAborted);
        if (existing is null)
        {
            var created = NewEndpoint(application.Id, input with { Uid = endpoint_id }, ids, time);
            await store.CreateEndpointAsync(created, new EndpointSecretKey(input.Secret ?? EndpointSecret.New(), created.CreatedAt), context.RequestAborted);
            return TypedResults.Created($"/api/v1/app/{application.Id}/endpoint/{created.Id}", EndpointOut.From(created));
        }

        var updated = existing with
        {
            Url = input.Url!,
            Description = input.Description ?? "",
            Uid = input.Uid,
            ThrottleRate = input.ThrottleRate,
            Disabled = input.Disabled ?? false,
            EventTypes = Normalize(input.EventTypes),
            Channels = Normalize(input.Channels),
            Metadata = input.Metadata ?? [],
            Headers = input.Headers ?? existing.Headers,
            UpdatedAt = time.Now(),
        };
        await store.UpdateEndpointAsync(updated, context.RequestAborted);
        return TypedResults.Ok(EndpointOut.From(updated));
    }

    private static async Task<Ok<EndpointOut>> PatchAsync(string app_id, string endpoint_id, HttpContext context, IHeraldStore store, TimeProvider time)
    {
        var existing = await FindAsync(context, store, app_id, endpoint_id);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (body.Has("url") && input.Url is null)
        {
            v.Add("body.url", "missing", "cannot be null.");
        }

        if (body.Has("secret"))
        {
            v.Add("body.secret", "not_patchable", "is changed through secret/rotate.");
        }

        await ValidateAsync(v, input, store, partial: true, context.RequestAborted);
        var updated = existing with
        {
            Url = input.Url ?? existing.Url,
            Description = input.Description ?? existing.Description,
            Uid = body.Has("uid") ? input.Uid : existing.Uid,
            ThrottleRate = body.Has("throttleRate") ? input.ThrottleRate : existing.ThrottleRate,
            Disabled = input.Disabled ?? existing.Disabled,
            EventTypes = body.Has("eventTypes") ? Normalize(input.EventTypes) : existing.EventTypes,
            Channels = body.Has("channels") ? Normalize(input.Channels) : existing.Channels,
            Metadata = body.Has("metadata") ? input.Metadata ?? [] : existing.Metadata,
            Headers = body.Has("headers") ? input.Headers ?? [] : existing.Headers,
            UpdatedAt = time.Now(),
        };
        await store.UpdateEndpointAsync(updated, context.RequestAborted);
        return TypedResults.Ok(EndpointOut.From(updated));
    }

    private static async Task<NoContent> DeleteAsync(string app_id, string endpoint_id, HttpContext context, IHeraldStore store)
    {
        var existing = await FindAsync(context, store, app_id, endpoint_id);
        await store.DeleteEndpointAsync(existing.ApplicationId, existing.Id, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static HeraldEndpoint NewEndpoint(string applicationId, EndpointIn input, Ids ids, TimeProvider time)
    {
        var now = time.Now();
        return new HeraldEndpoint
        {
            Id = ids.New(Ids.Endpoint),
            ApplicationId = applicationId,
            Uid = input.Uid,
            Url = input.Url!,
            Description = input.Description ?? "",
            ThrottleRate = input.ThrottleRate,
            Disabled = input.Disabled ?? false,
            EventTypes = Normalize(input.EventTypes),
            Channels = Normalize(input.Channels),
            Metadata = input.Metadata ?? [],
            Headers = input.Headers ?? [],
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
