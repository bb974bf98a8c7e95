using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Http.Features;

namespace Herald.Server.Endpoints;

/// <summary>The secret and headers sub-resources of an endpoint.</summary>
internal static class EndpointSecretsAndHeadersApi
{
    private static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(24);
    private const long MaxGracePeriodSeconds = 7 * 24 * 3600;

    public static void MapEndpointSecrets(this RouteGroupBuilder endpoints)
    {
        endpoints.MapGet("/{endpoint_id}/secret", GetSecretAsync).WithSummary("Get the endpoint's current signing secret.")
            .WithDescription("The `whsec_` secret webhooks to this endpoint are signed with (the newest one during a rotation's grace period).");
        endpoints.MapPost("/{endpoint_id}/secret/rotate", RotateSecretAsync).Accepts<EndpointSecretRotateIn>(isOptional: true, "application/json")
            .WithSummary("Rotate the signing secret; the previous one stays valid for the grace period (default 24 h).")
            .WithDescription("Sets the given key or a generated one. During gracePeriodSeconds (0 to 7 days, default 24 h) webhooks carry a signature with each secret. Answers 204.");
    }

    public static void MapEndpointHeaders(this RouteGroupBuilder endpoints)
    {
        endpoints.MapGet("/{endpoint_id}/headers", GetHeadersAsync).WithSummary("Get the endpoint's custom headers (sensitive values withheld).")
            .WithDescription("Headers whose name looks like a credential (authorization, cookie, token, secret, password, api-key) are sent with webhooks but listed only by name in `sensitive`.");
        endpoints.MapPut("/{endpoint_id}/headers", PutHeadersAsync).Accepts<EndpointHeadersIn>("application/json").WithSummary("Replace the custom headers.")
            .WithDescription("The body's headers replace all of the endpoint's custom headers (at most 20). Answers 204.");
        endpoints.MapPatch("/{endpoint_id}/headers", PatchHeadersAsync).Accepts<EndpointHeadersIn>("application/json")
            .WithSummary("Set some headers and delete others (deleteHeaders).")
            .WithDescription("Headers in `headers` are set, names in `deleteHeaders` removed; others stay (at most 20 in all). Answers 204.");
    }

    private static async Task<Ok<EndpointSecretOut>> GetSecretAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, TimeProvider time)
    {
        var endpoint = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        var keys = await store.GetEndpointSecretsAsync(endpoint.Id, time.Now(), context.RequestAborted);
        return TypedResults.Ok(new EndpointSecretOut(keys[0].Key));
    }

    private static async Task<NoContent> RotateSecretAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, TimeProvider time)
    {
        var endpoint = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        var input = new EndpointSecretRotateIn();
        // No Content-Length does not mean a body follows: a bodiless POST (curl -X POST) has neither it nor chunking.
        if (context.Request.ContentLength > 0
            || (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true))
        {
            using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointSecretRotateIn, context.RequestAborted);
            input = body.Value;
        }

        var v = new Validator();
        if (input.Key is not null && !EndpointSecret.IsValid(input.Key))
        {
            v.Add("body.key", "invalid_secret", EndpointSecret.Rule);
        }

        if (input.GracePeriodSeconds is { } g && (g < 0 || g > MaxGracePeriodSeconds))
        {
            v.Add("body.gracePeriodSeconds", "out_of_range", $"must be from 0 to {MaxGracePeriodSeconds}.");
        }

        v.ThrowIfInvalid();
        var now = time.Now();
        var grace = input.GracePeriodSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : DefaultGracePeriod;
        await store.RotateEndpointSecretAsync(endpoint.Id, new EndpointSecretKey(input.Key ?? EndpointSecret.New(), now), now + grace, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<EndpointHeadersOut>> GetHeadersAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store) =>
        TypedResults.Ok(EndpointHeaders.ToOut((await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted)).Headers));

    private static async Task<NoContent> PutHeadersAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, TimeProvider time)
    {
        var endpoint = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointHeadersIn, context.RequestAborted);
        var v = new Validator();
        if (v.Required("body.headers", body.Value.Headers))
        {
            EndpointHeaders.Validate(v, "body.headers", body.Value.Headers);
        }

        v.ThrowIfInvalid();
        await store.UpdateEndpointAsync(endpoint with { Headers = body.Value.Headers!, UpdatedAt = time.Now() }, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> PatchHeadersAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore store, TimeProvider time)
    {
        var endpoint = await scope.FindEndpointAsync(store, endpoint_id, context.RequestAborted);
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.EndpointHeadersIn, context.RequestAborted);
        var merged = new Dictionary<string, string>(endpoint.Headers, StringComparer.OrdinalIgnoreCase);
        foreach (var name in body.Value.DeleteHeaders ?? [])
        {
            merged.Remove(name);
        }

        foreach (var (name, value) in body.Value.Headers ?? [])
        {
            merged[name] = value;
        }

        var v = new Validator();
        EndpointHeaders.Validate(v, "body.headers", body.Value.Headers);
        if (merged.Count > EndpointHeaders.MaxHeaders)
        {
            v.Add("body.headers", "too_many_items", $"an endpoint may have at most {EndpointHeaders.MaxHeaders} headers.");
        }

        v.ThrowIfInvalid();
        await store.UpdateEndpointAsync(endpoint with { Headers = merged, UpdatedAt = time.Now() }, context.RequestAborted);
        return TypedResults.NoContent();
    }
}
