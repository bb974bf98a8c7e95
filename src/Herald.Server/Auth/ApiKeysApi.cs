using Herald.Server.Api;
using Herald.Server.Idempotency;
using Herald.Server.Storage;

namespace Herald.Server.Auth;

/// <summary>
/// <c>/auth/api-key</c>: admin API keys as objects — create (the secret is shown once), list, get, revoke, expire,
/// rotate. Full-admin keys only (<c>admin</c> scope): a read-only admin key gets 403 even on the reads, since the list
/// tells who can do what. A key is a token row with a name, authenticated by hash on every request
/// (<see cref="TokenAuthenticationHandler"/>), so a revocation holds on every node from its commit.
/// </summary>
internal static class ApiKeysApi
{
    private const long MinKeyLifetimeSeconds = 60;
    private const long MaxKeyLifetimeSeconds = 10L * 365 * 24 * 3600;
    private const long MaxRotationGraceSeconds = 7 * 24 * 3600;
    private const int MaxScopes = 10;

    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder auth)
    {
        var group = auth.MapGroup("/api-key").RequireAdmin(fullAdmin: true);
        group.MapGet("/", ListAsync)
            .WithSummary("List API keys (revoked and expired ones too).")
            .WithDescription("Each key with its name, scopes, the prefix of its secret, when it was created, expires, was revoked and was last used (to within a minute). Never the secret. Full-admin keys only.");
        group.MapPost("/", CreateAsync).WithSecretInAnswer()
            .Accepts<ApiKeyIn>("application/json")
            .WithSummary("Create an API key; its secret is in this answer only.")
            .WithDescription("`scopes`: `admin`, `admin:read` (every read, no write), `app:{app_id}` (one application, as an app-portal token with every capability) or `app:{app_id}:read`. Answers 201 with `key`, the secret: Herald keeps only its hash. An Idempotency-Key is accepted but this answer is never stored, so a retry creates another key. Full-admin keys only.");
        group.MapGet("/{key_id}", GetAsync)
            .WithSummary("Get an API key (without its secret).")
            .WithDescription("Full-admin keys only.");
        group.MapDelete("/{key_id}", RevokeAsync)
            .WithSummary("Revoke an API key: it stops working at once, on every node.")
            .WithDescription("Answers 204 (also when it was revoked already). Refused with 409 `last_admin_key` when it is the last full-admin key that neither is revoked nor expires. Full-admin keys only.");
        group.MapPost("/{key_id}/expire", ExpireAsync)
            .Accepts<ApiKeyExpireIn>("application/json")
            .WithSummary("Expire an API key now or after `expiry` seconds.")
            .WithDescription("The body is optional. An expiry only ever moves earlier. Refused with 409 `last_admin_key` as revocation is. Answers 204. Full-admin keys only.");
        group.MapPost("/{key_id}/rotate", RotateAsync).WithSecretInAnswer()
            .Accepts<ApiKeyRotateIn>("application/json")
            .WithSummary("Give an API key a new secret; the old one stops now or after `expiry` seconds.")
            .WithDescription("The body is optional. Answers 200 with the new secret in `key` (shown only now; never stored for Idempotency-Key replays). The key keeps its id, name and scopes. A revoked or expired key answers 409 `api_key_inactive`. Full-admin keys only.");
        return group;
    }

    private static async Task<Ok<ListResponse<ApiKeyOut>>> ListAsync([AsParameters] ListQuery query, HttpContext context, IApiKeyStore store)
    {
        var page = Paging.Parse(query, key => Ids.IsValid(Ids.Token, key), descendingByDefault: false);
        var result = await store.ListApiKeysAsync(page, context.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse(result, k => k.Id, ApiKeyOut.From));
    }

    private static async Task<Ok<ApiKeyOut>> GetAsync(string key_id, HttpContext context, IApiKeyStore store) =>
        TypedResults.Ok(ApiKeyOut.From(await store.GetApiKeyAsync(key_id, context.RequestAborted) ?? throw ApiException.NotFound("API key")));

    private static async Task<Created<ApiKeySecretOut>> CreateAsync(HttpContext context, IApplicationStore applications, ITokenStore tokens, Ids ids, TimeProvider time)
    {
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.ApiKeyIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        v.Text("body.name", input.Name, Validator.MaxNameLength, required: true, singleLine: true);
        if (input.Expiry is { } e && (e < MinKeyLifetimeSeconds || e > MaxKeyLifetimeSeconds))
        {
            v.Add("body.expiry", "out_of_range", $"must be from {MinKeyLifetimeSeconds} to {MaxKeyLifetimeSeconds} (10 years) seconds.");
        }

        ApiScope? scope = null;
        if (input.Scopes is not { Count: > 0 } scopes)
        {
            v.Add("body.scopes", "missing", "is required: at least one of admin, admin:read, app:{app_id}, app:{app_id}:read.");
        }
        else if (scopes.Count > MaxScopes)
        {
            v.Add("body.scopes", "too_many_items", $"may hold at most {MaxScopes} items.");
        }
        else if ((scope = ApiScopes.Resolve(scopes, out var problem, strict: true)) is null)
        {
            v.Add("body.scopes", "invalid_scope", problem ?? "is not a valid list of scopes.");
        }

        v.ThrowIfInvalid();
        if (scope!.ApplicationId is { } idOrUid)
        {
            // Scopes may name the application by uid; the key stores its id, so renaming the uid changes nothing.
            var application = await applications.GetApplicationAsync(idOrUid, context.RequestAborted)
                ?? throw ApiException.Invalid("body.scopes", "unknown_application", $"names application '{idOrUid}', which does not exist.");
            scope = scope with { ApplicationId = application.Id };
        }

        var now = time.Now();
        var secret = TokenHashing.NewToken(TokenHashing.AdminPrefix);
        var key = new ApiToken
        {
            Id = ids.New(Ids.Token),
            Hash = TokenHashing.Hash(secret),
            Name = input.Name,
            Prefix = TokenHashing.DisplayPrefix(secret),
            ApplicationId = scope.ApplicationId,
            ReadOnly = scope.ReadOnly,
            CreatedAt = now,
            ExpiresAt = input.Expiry is { } seconds ? now + TimeSpan.FromSeconds(seconds) : null,
        };
        await tokens.AddTokenAsync(key, context.RequestAborted);
        return TypedResults.Created($"/api/v1/auth/api-key/{key.Id}", ApiKeySecretOut.From(key, secret));
    }

    private static async Task<NoContent> RevokeAsync(string key_id, HttpContext context, IApiKeyStore store, TimeProvider time)
    {
        Check(await store.EndApiKeyAsync(key_id, time.Now(), revoke: true, context.RequestAborted));
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> ExpireAsync(string key_id, HttpContext context, IApiKeyStore store, TimeProvider time)
    {
        var input = await ReadOptionalAsync(context.Request, HeraldJsonContext.Api.ApiKeyExpireIn) ?? new ApiKeyExpireIn();
        if (input.Expiry is { } e && (e < 0 || e > MaxKeyLifetimeSeconds))
        {
            throw ApiException.Invalid("body.expiry", "out_of_range", $"must be from 0 to {MaxKeyLifetimeSeconds} (10 years) seconds.");
        }

        Check(await store.EndApiKeyAsync(key_id, time.Now() + TimeSpan.FromSeconds(input.Expiry ?? 0), revoke: false, context.RequestAborted));
        return TypedResults.NoContent();
    }

    private static async Task<Ok<ApiKeySecretOut>> RotateAsync(string key_id, HttpContext context, IApiKeyStore store, TimeProvider time)
    {
        var input = await ReadOptionalAsync(context.Request, HeraldJsonContext.Api.ApiKeyRotateIn) ?? new ApiKeyRotateIn();
        if (input.Expiry is { } e && (e < 0 || e > MaxRotationGraceSeconds))
        {
            throw ApiException.Invalid("body.expiry", "out_of_range", $"must be from 0 to {MaxRotationGraceSeconds} (7 days) seconds.");
        }

        var now = time.Now();
        var secret = TokenHashing.NewToken(TokenHashing.AdminPrefix);
        DateTimeOffset? previousUntil = input.Expiry is { } seconds && seconds > 0 ? now + TimeSpan.FromSeconds(seconds) : null;
        Check(await store.RotateApiKeyAsync(key_id, TokenHashing.Hash(secret), TokenHashing.DisplayPrefix(secret), previousUntil, now, context.RequestAborted));
        var key = await store.GetApiKeyAsync(key_id, context.RequestAborted) ?? throw ApiException.NotFound("API key");
        return TypedResults.Ok(ApiKeySecretOut.From(key, secret));
    }

    private static void Check(ApiKeyChange change)
    {
        switch (change)
        {
            case ApiKeyChange.NotFound:
                throw ApiException.NotFound("API key");
            case ApiKeyChange.LastAdminKey:
                throw ApiException.Conflict(
                    "This is the last full-admin key that neither is revoked nor expires; create another admin key first, so Herald stays manageable.",
                    "last_admin_key");
            case ApiKeyChange.Inactive:
                throw ApiException.Conflict("This API key is revoked or expired; create a new key instead.", "api_key_inactive");
        }
    }

    /// <summary>A body that may be left out (no content): null then.</summary>
    private static async Task<T?> ReadOptionalAsync<T>(HttpRequest request, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) where T : class
    {
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.TransferEncoding.Any()))
        {
            return null;
        }

        using var body = await JsonBody.ReadAsync(request, type, request.HttpContext.RequestAborted);
        return body.Value;
    }
}
