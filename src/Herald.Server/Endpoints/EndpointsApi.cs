using System.Text.Json.Nodes;
using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Auth;
using Herald.Server.Delivery;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Endpoints;

internal static class EndpointsApi
{
    public static RouteGroupBuilder MapEndpoints(this RouteGroupBuilder api) =>
        api.MapGroup("/app/{app_id}/endpoint").WithTags("Endpoints").MapEndpointRoutes();

    /// <summary>
    /// <c>/operational-webhook/endpoint</c>: the operator's endpoints for webhooks about Herald itself (admin only).
    /// The same routes as an application's endpoints, scoped to the internal operational application.
    /// </summary>
    public static RouteGroupBuilder MapOperationalWebhookEndpoints(this RouteGroupBuilder api) =>
        api.MapGroup("/operational-webhook/endpoint").WithTags("Operational webhooks").RequireAdmin()
            .WithMetadata(new FixedEndpointScope(OperationalWebhooks.ApplicationId))
            .MapEndpointRoutes();

    private static RouteGroupBuilder MapEndpointRoutes(this RouteGroupBuilder group)
    {
        group.MapGet("/", ListAsync).WithSummary("List endpoints.")
            .WithDescription("Oldest first unless order=descending; paged with limit and iterator.");
        group.MapPost("/", CreateAsync).Accepts<EndpointIn>("application/json").WithSummary("Create an endpoint.")
            .WithDescription("Answers 201 with the endpoint. Its event types must exist and not be archived; a uid already taken in the application is a 409. A signing secret is generated unless one is given.");
        group.MapGet("/{endpoint_id}", GetAsync).WithSummary("Get an endpoint by id or uid.")
            .WithDescription("`endpoint_id` is the `ep_…` id or the endpoint's uid.");
        group.MapPut("/{endpoint_id}", UpsertAsync).Accepts<EndpointIn>("application/json").WithSummary("Replace an endpoint, or create it with this uid.")
            .WithDescription("Replaces the endpoint with the body; when nothing has this id or uid, creates the endpoint with `endpoint_id` as its uid (201); else 200.");
        group.MapPatch("/{endpoint_id}", PatchAsync).Accepts<EndpointIn>("application/json").WithSummary("Change some fields of an endpoint.")
            .WithDescription("Only the fields present in the body change; a field sent as null is cleared (url cannot be).");
        group.MapDelete("/{endpoint_id}", DeleteAsync).WithSummary("Delete an endpoint.")
            .WithDescription("Deletes it for good, with its deliveries and attempts; answers 204.");
        group.MapEndpointSecrets();
        group.MapEndpointHeaders();
        group.MapFifoLine();
        group.MapEndpointVerification();
        return group;
    }

    /// <summary>Checks fields common to create, upsert and patch; for patch only what is present.</summary>
    private static async Task ValidateAsync(Validator v, EndpointInput fields, IEventTypeStore store, bool partial, EndpointRules rules, CancellationToken cancellationToken)
    {
        var input = fields.Value;
        var eventTypesAt = "body." + fields.EventTypesField;
        if (!partial || input.Url is not null)
        {
            v.Url("body.url", input.Url);
            if (rules.RequireHttps && input.Url is not null && input.Url.StartsWith("http:", StringComparison.OrdinalIgnoreCase))
            {
                v.Add("body.url", "https_required", "must be an https:// URL on this server.");
            }
        }

        v.Range("body.timeoutSeconds", input.TimeoutSeconds, 1, 30);
        v.Text("body.description", input.Description, Validator.MaxDescriptionLength)
            .Identifier("body.uid", input.Uid, forbiddenPrefix: Ids.Endpoint)
            .Range("body." + fields.ThrottleRateField, input.ThrottleRate, 1, ApplicationsApi.MaxThrottleRate)
            .Range("body.version", input.Version, 1, ushort.MaxValue)
            .Channels("body.channels", input.Channels)
            .Names(eventTypesAt, input.EventTypes, 256)
            .Metadata("body.metadata", input.Metadata);
        EndpointHeaders.Validate(v, "body.headers", input.Headers);
        if (!partial)
        {
            EndpointFifoFields.Validate(v, input); // A patch's are checked against the endpoint it changes.
        }
        if (input.Secret is not null && !EndpointSecret.IsValid(input.Secret))
        {
            v.Add("body.secret", "invalid_secret", EndpointSecret.Rule);
        }

        if (v.IsValid && input.EventTypes is { Count: > 0 } names && rules.Operational)
        {
            foreach (var unknown in names.Where(n => !OperationalWebhooks.EventTypes.Contains(n)))
            {
                v.Add(eventTypesAt, "unknown_event_type", $"'{unknown}' is not an operational event type ({string.Join(", ", OperationalWebhooks.EventTypes)}).");
            }
        }
        else if (v.IsValid && input.EventTypes is { Count: > 0 } eventTypes)
        {
            foreach (var missing in await store.FindMissingEventTypesAsync(eventTypes.Distinct().ToList(), cancellationToken))
            {
                v.Add(eventTypesAt, "unknown_event_type", $"'{missing}' is not an event type (or it is archived); create it first.");
            }
        }

        v.ThrowIfInvalid();
    }

    /// <summary>What an endpoint may be, where: https only if the operator says so; operational endpoints filter on operational event types.</summary>
    private sealed record EndpointRules(bool RequireHttps, bool Operational, VerificationMethod RequiredVerification)
    {
        public static EndpointRules For(string applicationId, IOptions<DeliveryOptions> options) =>
            new(options.Value.RequireHttps, applicationId == OperationalWebhooks.ApplicationId,
                applicationId == OperationalWebhooks.ApplicationId ? VerificationMethod.None : options.Value.RequireEndpointVerification);
    }

    /// <summary>Tells the operator about endpoint changes (endpoint.created/updated/deleted); not for operational endpoints themselves.</summary>
    private static Task NotifyAsync(OperationalWebhooks operational, string type, HeraldEndpoint endpoint) =>
        endpoint.ApplicationId == OperationalWebhooks.ApplicationId
            ? Task.CompletedTask
            : operational.PublishAsync(type, new JsonObject
            {
                ["appId"] = endpoint.ApplicationId,
                ["endpointId"] = endpoint.Id,
                ["endpointUid"] = endpoint.Uid,
            }, CancellationToken.None); // The change is committed: the operator hears of it even if its client has gone.

    private static IReadOnlyList<string>? Normalize(IReadOnlyList<string>? list) =>
        list is null or { Count: 0 } ? null : list.Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The endpoint of the scope's application (the route's, or the operational-webhook one) by id or uid; else 404.</summary>
    public static async Task<HeraldEndpoint> FindEndpointAsync(this EndpointScope scope, IEndpointStore store, string endpoint_id, CancellationToken cancellationToken) =>
        await store.GetEndpointAsync(scope.ApplicationId, endpoint_id, cancellationToken) ?? throw ApiException.NotFound("Endpoint");

    /// <summary>The endpoint of the route's application by id or uid; else 404.</summary>
    public static async Task<HeraldEndpoint> FindEndpointAsync(this CurrentApplication application, IEndpointStore store, string endpoint_id, CancellationToken cancellationToken) =>
        await store.GetEndpointAsync(application.Value.Id, endpoint_id, cancellationToken) ?? throw ApiException.NotFound("Endpoint");

    private static async Task<Ok<ListResponse<EndpointOut>>> ListAsync(EndpointScope scope, [AsParameters] ListQuery query, HttpContext context, IEndpointStore store)
    {
        var applicationId = scope.ApplicationId;
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Endpoint, key), descendingByDefault: false);
        var result = await store.ListEndpointsAsync(applicationId, page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, e => e.Id, EndpointOut.From));
    }

    private static async Task<Created<EndpointOut>> CreateAsync(
        EndpointScope scope, HttpContext context, IEndpointStore store, IEventTypeStore eventTypes, Ids ids, TimeProvider time, IOptions<DeliveryOptions> options, OperationalWebhooks operational)
    {
        var applicationId = scope.ApplicationId;
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointIn, context.RequestAborted);
        var endpoint = await CreateEndpointAsync(applicationId, body, store, eventTypes, ids, time, options, operational, context.RequestAborted);
        return TypedResults.Created($"/api/v1/app/{applicationId}/endpoint/{endpoint.Id}", await EndpointUrlWarning.AnswerAsync(endpoint, context));
    }

    /// <summary>Create's rules and work, shared by REST and GraphQL: validates the body, stores the endpoint with its secret, notifies.</summary>
    public static async Task<HeraldEndpoint> CreateEndpointAsync(
        string applicationId, JsonBody<EndpointIn> body, IEndpointStore store, IEventTypeStore eventTypes, Ids ids, TimeProvider time, IOptions<DeliveryOptions> options, OperationalWebhooks operational,
        CancellationToken cancellationToken)
    {
        var v = new Validator();
        var fields = EndpointInput.From(body, v);
        var rules = EndpointRules.For(applicationId, options);
        EndpointVerificationRules.Validate(v, fields.Value, fields.Value.VerificationMethod is not null, rules.RequiredVerification);
        await ValidateAsync(v, fields, eventTypes, partial: false, rules, cancellationToken);
        var endpoint = NewEndpoint(applicationId, fields.Value, ids, time, rules.RequiredVerification);
        await store.CreateEndpointAsync(endpoint, new EndpointSecretKey(body.Value.Secret ?? EndpointSecret.New(), endpoint.CreatedAt), cancellationToken);
        await NotifyAsync(operational, "endpoint.created", endpoint);
        return endpoint;
    }

    private static async Task<Ok<EndpointOut>> GetAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store) =>
        TypedResults.Ok(EndpointOut.From(await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted)));

    private static async Task<Results<Created<EndpointOut>, Ok<EndpointOut>>> UpsertAsync(
        string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, IEventTypeStore eventTypes, IVerificationStore verifications, Ids ids, TimeProvider time, IOptions<DeliveryOptions> options, OperationalWebhooks operational)
    {
        var applicationId = scope.ApplicationId;
        var existing = await store.GetEndpointAsync(applicationId, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointIn, context.RequestAborted);
        var v = new Validator();
        var fields = EndpointInput.From(body, v);
        var input = fields.Value;
        if (existing is null)
        {
            v.Identifier("path.endpoint_id", endpoint_id, forbiddenPrefix: Ids.Endpoint);
            if (input.Uid is not null && input.Uid != endpoint_id)
            {
                v.Add("body.uid", "invalid_value", "must equal the endpoint_id of the path when the endpoint is created.");
            }
        }

        var rules = EndpointRules.For(applicationId, options);
        EndpointVerificationRules.Validate(v, input, existing is null ? input.VerificationMethod is not null : body.Has("verificationMethod"), rules.RequiredVerification);
        await ValidateAsync(v, fields, eventTypes, partial: false, rules, context.RequestAborted);
        if (existing is null)
        {
            var created = NewEndpoint(applicationId, input with { Uid = endpoint_id }, ids, time, rules.RequiredVerification);
            await store.CreateEndpointAsync(created, new EndpointSecretKey(input.Secret ?? EndpointSecret.New(), created.CreatedAt), context.RequestAborted);
            await NotifyAsync(operational, "endpoint.created", created);
            return TypedResults.Created($"/api/v1/app/{applicationId}/endpoint/{created.Id}", await EndpointUrlWarning.AnswerAsync(created, context));
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
            Timeout = input.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            // As Svix: a replace without a version resets it to 1.
            Version = input.Version ?? 1,
            Fifo = EndpointFifoFields.From(input, existing.Fifo),
            UpdatedAt = time.Now(),
        };
        updated = updated with { Verification = EndpointVerificationRules.ForUpdate(existing, body.Has("verificationMethod"), input.VerificationMethod, updated.Url, updated.UpdatedAt) };
        await EndpointVerificationRules.SaveAsync(store, verifications, existing, updated, context.RequestAborted);
        await NotifyUpdatedAsync(operational, existing, updated);
        return TypedResults.Ok(await EndpointUrlWarning.AnswerAsync(updated, context));
    }

    private static async Task<Ok<EndpointOut>> PatchAsync(
        string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, IEventTypeStore eventTypes, IVerificationStore verifications, TimeProvider time, IOptions<DeliveryOptions> options, OperationalWebhooks operational)
    {
        var existing = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointIn, context.RequestAborted);
        return TypedResults.Ok(await EndpointUrlWarning.AnswerAsync(await PatchEndpointAsync(existing, body, store, eventTypes, verifications, time, options, operational, context.RequestAborted), context));
    }

    /// <summary>Patch's rules and work, shared by REST and GraphQL: only the fields present in the body change.</summary>
    public static async Task<HeraldEndpoint> PatchEndpointAsync(
        HeraldEndpoint existing, JsonBody<EndpointIn> body, IEndpointStore store, IEventTypeStore eventTypes, IVerificationStore verifications, TimeProvider time, IOptions<DeliveryOptions> options, OperationalWebhooks operational,
        CancellationToken cancellationToken)
    {
        var v = new Validator();
        var fields = EndpointInput.From(body, v);
        var input = fields.Value;
        if (body.Has("url") && input.Url is null)
        {
            v.Add("body.url", "missing", "cannot be null.");
        }

        if (body.Has("secret"))
        {
            v.Add("body.secret", "not_patchable", "is changed through secret/rotate.");
        }

        if (body.Has("version") && input.Version is null)
        {
            v.Add("body.version", "missing", "cannot be null.");
        }

        var rules = EndpointRules.For(existing.ApplicationId, options);
        EndpointVerificationRules.Validate(v, input, body.Has("verificationMethod"), rules.RequiredVerification);
        EndpointFifoFields.Validate(v, body, existing.Fifo);
        await ValidateAsync(v, fields, eventTypes, partial: true, rules, cancellationToken);
        var updated = existing with
        {
            Url = input.Url ?? existing.Url,
            Description = input.Description ?? existing.Description,
            Uid = body.Has("uid") ? input.Uid : existing.Uid,
            ThrottleRate = fields.HasThrottleRate ? input.ThrottleRate : existing.ThrottleRate,
            Version = input.Version ?? existing.Version,
            Disabled = input.Disabled ?? existing.Disabled,
            EventTypes = fields.HasEventTypes ? Normalize(input.EventTypes) : existing.EventTypes,
            Channels = body.Has("channels") ? Normalize(input.Channels) : existing.Channels,
            Metadata = body.Has("metadata") ? input.Metadata ?? [] : existing.Metadata,
            Headers = body.Has("headers") ? input.Headers ?? [] : existing.Headers,
            Timeout = body.Has("timeoutSeconds") ? (input.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null) : existing.Timeout,
            Fifo = EndpointFifoFields.Patch(body, existing.Fifo),
            UpdatedAt = time.Now(),
        };
        updated = updated with { Verification = EndpointVerificationRules.ForUpdate(existing, body.Has("verificationMethod"), input.VerificationMethod, updated.Url, updated.UpdatedAt) };
        await EndpointVerificationRules.SaveAsync(store, verifications, existing, updated, cancellationToken);
        await NotifyUpdatedAsync(operational, existing, updated);
        return updated;
    }

    /// <summary>
    /// endpoint.updated; endpoint.enabled when the change turned a disabled endpoint back on, and endpoint.disabled with
    /// Svix's <c>trigger: "manual"</c> when it turned an enabled one off (the dispatcher sends <c>"automatic"</c> ones).
    /// </summary>
    private static async Task NotifyUpdatedAsync(OperationalWebhooks operational, HeraldEndpoint before, HeraldEndpoint after)
    {
        await NotifyAsync(operational, "endpoint.updated", after);
        if (before.Disabled && !after.Disabled)
        {
            await NotifyAsync(operational, "endpoint.enabled", after);
        }
        else if (!before.Disabled && after.Disabled && after.ApplicationId != OperationalWebhooks.ApplicationId)
        {
            await operational.PublishAsync("endpoint.disabled", new JsonObject
            {
                ["appId"] = after.ApplicationId,
                ["endpointId"] = after.Id,
                ["endpointUid"] = after.Uid,
                ["trigger"] = "manual",
            }, CancellationToken.None);
        }
    }

    private static async Task<NoContent> DeleteAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, OperationalWebhooks operational)
    {
        var existing = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        await store.DeleteEndpointAsync(existing.ApplicationId, existing.Id, context.RequestAborted);
        await NotifyAsync(operational, "endpoint.deleted", existing);
        return TypedResults.NoContent();
    }

    private static HeraldEndpoint NewEndpoint(string applicationId, EndpointIn input, Ids ids, TimeProvider time, VerificationMethod requiredVerification)
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
            Timeout = input.TimeoutSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Version = input.Version ?? 1,
            Fifo = EndpointFifoFields.From(input),
            Verification = EndpointVerificationRules.ForNew(input, requiredVerification, now),
            CreatedAt = now,
            UpdatedAt = now,
        };
    }
}
