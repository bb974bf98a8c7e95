using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Idempotency;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth;

/// <summary>Svix's AppPortalAccessIn: every option is honored or refused with a 422.</summary>
public sealed record AppPortalAccessIn
{
    /// <summary>Creates the application when the path names a uid that does not exist yet.</summary>
    public ApplicationIn? Application { get; init; }
    /// <summary>True: the token may only read.</summary>
    public bool? ReadOnly { get; init; }
    /// <summary>Svix capabilities the token is limited to; when not given, all (or the read-only set with readOnly=true).</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }
    /// <summary>Refused with a 422 when not empty: Herald does not gate event types by feature flag.</summary>
    public IReadOnlyList<string>? FeatureFlags { get; init; }

    /// <summary>Token lifetime in seconds: 1 hour to 7 days, as Svix documents (default 7 days).</summary>
    public long? Expiry { get; init; }
    /// <summary>Groups tokens so that POST /auth/app/{app_id}/expire-all can end just these.</summary>
    public string? SessionId { get; init; }

    /// <summary>Herald: how the portal looks for this link (colours, logo, dark mode), added to the URL's query.</summary>
    public Portal.PortalThemeIn? Theme { get; init; }
}

/// <summary>A token for one application.</summary>
/// <param name="Url">The app-portal URL with the token in it.</param>
/// <param name="Token">The token (send as `Authorization: Bearer`).</param>
public sealed record AppPortalAccessOut(string Url, string Token);

/// <summary>Svix's ApplicationTokenExpireIn.</summary>
public sealed record AppPortalExpireIn
{
    /// <summary>Seconds until the tokens expire: 0 (now) to 3 days; null is now.</summary>
    public long? Expiry { get; init; }

    /// <summary>When not empty, only tokens created with one of these session ids expire.</summary>
    public IReadOnlyList<string>? SessionIds { get; init; }
}

internal static class AuthApi
{
    private const long MinExpirySeconds = 3600;
    private const long MaxExpirySeconds = 7 * 24 * 3600;
    private const long MaxExpireAllDelaySeconds = 3 * 24 * 3600;
    private const int MaxSessionIds = 1000;

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Authentication");
        group.MapPost("/app-portal-access/{app_id}", AppPortalAccessAsync).RequireAdmin().WithSecretInAnswer()
            .Accepts<AppPortalAccessIn>("application/json")
            .WithSummary("Get a token (and app-portal URL) that reaches one application only, optionally read-only or with fewer capabilities.")
            .WithDescription("Answers 200 with the token and the app-portal URL. The token lasts `expiry` seconds (1 hour to 7 days; default Herald:Auth:DefaultPortalTokenLifetime). With the body's application and an `app_id` uid that does not exist, the application is created. An Idempotency-Key is accepted but this answer (it holds the token) is never stored, so a retry makes another token. Admin tokens only.");
        group.MapPost("/app/{app_id}/expire-all", ExpireAllAsync).RequireAdmin()
            .Accepts<AppPortalExpireIn>("application/json")
            .WithSummary("Expire the application's app-portal tokens (all, or those of some sessions), now or after `expiry` seconds.")
            .WithDescription("`expiry` delays it by 0 to 259200 seconds (3 days; default 0); `sessionIds` limits it to tokens made with those sessionIds. Answers 204. Admin tokens only.");
        group.MapPost("/logout", LogoutAsync)
            .WithSummary("End the calling app-portal token. Admin tokens cannot log out.")
            .WithDescription("The token of the request stops working at once; answers 204. An admin token gets a 400 admin_token_logout.");
        group.MapApiKeys();
        return group;
    }

    private static async Task<Ok<AppPortalAccessOut>> AppPortalAccessAsync(
        string app_id, HttpContext context, ITokenStore store, IApplicationStore applications, Ids ids, TimeProvider time, IOptions<AuthOptions> authOptions, IOptions<ApiOptions> apiOptions)
    {
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.AppPortalAccessIn, context.RequestAborted);
        var input = body.Value;
        var validator = new Validator();
        if (input.Expiry is { } e && (e < MinExpirySeconds || e > MaxExpirySeconds))
        {
            validator.Add("body.expiry", "out_of_range", $"must be from {MinExpirySeconds} (1 hour) to {MaxExpirySeconds} (7 days) seconds.");
        }

        if (input.Application is not null)
        {
            ApplicationsApi.Validate(validator, input.Application, "body.application");
        }

        SessionId(validator, "body.sessionId", input.SessionId);
        Portal.PortalTheme.Validate(validator, "body.theme", input.Theme);
        var capabilities = PortalCapabilities.Resolve(validator, input.Capabilities, input.ReadOnly == true);
        if (input.FeatureFlags is { Count: > 0 })
        {
            // Svix hides event types with feature flags from tokens that lack them; Herald does not gate event types per
            // token, so a token "with" a flag would see exactly what one without sees. Refused rather than ignored.
            validator.Add("body.featureFlags", "unsupported", "is not supported: Herald does not gate event types by feature flag per token; omit it.");
        }

        validator.ThrowIfInvalid();

        var application = await applications.GetApplicationAsync(app_id, context.RequestAborted)
            ?? await ApplicationsApi.CreateOnTheFlyAsync(app_id, input.Application, applications, ids, time, context.RequestAborted)
            ?? throw ApiException.NotFound("Application");

        var now = time.Now();
        var lifetime = input.Expiry is { } seconds ? TimeSpan.FromSeconds(seconds) : authOptions.Value.DefaultPortalTokenLifetime;
        var token = TokenHashing.NewToken(TokenHashing.PortalPrefix);
        await store.AddTokenAsync(new ApiToken
        {
            Id = ids.New(Ids.Token),
            Hash = TokenHashing.Hash(token),
            ApplicationId = application.Id,
            ExpiresAt = now + lifetime,
            CreatedAt = now,
            ReadOnly = input.ReadOnly == true,
            Capabilities = capabilities,
            SessionId = input.SessionId,
        }, context.RequestAborted);

        var baseUrl = apiOptions.Value.PublicUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}";
        // The token travels in the URL fragment, which browsers never send to servers or proxies' logs.
        return TypedResults.Ok(new AppPortalAccessOut($"{baseUrl}/app-portal/{application.Id}{Portal.PortalTheme.Query(input.Theme)}#token={token}", token));
    }

    private static async Task<NoContent> ExpireAllAsync(string app_id, HttpContext context, IApplicationStore applications, ITokenStore tokens, TimeProvider time)
    {
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.AppPortalExpireIn, context.RequestAborted);
        var input = body.Value;
        var v = new Validator();
        if (input.Expiry is { } e && (e < 0 || e > MaxExpireAllDelaySeconds))
        {
            v.Add("body.expiry", "out_of_range", $"must be from 0 to {MaxExpireAllDelaySeconds} (3 days) seconds.");
        }

        if (input.SessionIds is { } sessions)
        {
            if (sessions.Count > MaxSessionIds)
            {
                v.Add("body.sessionIds", "too_many_items", $"may hold at most {MaxSessionIds} items.");
            }

            for (var i = 0; i < sessions.Count; i++)
            {
                SessionId(v, $"body.sessionIds.{i}", sessions[i]);
            }
        }

        v.ThrowIfInvalid();
        var application = await applications.GetApplicationAsync(app_id, context.RequestAborted) ?? throw ApiException.NotFound("Application");
        var at = time.Now() + TimeSpan.FromSeconds(input.Expiry ?? 0);
        var sessionIds = input.SessionIds is { Count: > 0 } some ? some.Distinct(StringComparer.Ordinal).ToList() : null;
        await tokens.ExpireApplicationTokensAsync(application.Id, sessionIds, at, context.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutAsync(HttpContext context, ITokenStore store, TimeProvider time)
    {
        // As Svix ("trying to log out other tokens will fail"): only app tokens log out. An admin token ending itself
        // could lock the operator out; admin keys are managed, not logged out of.
        if (context.User.IsAdmin())
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "admin_token_logout",
                "An admin token cannot log out; only application tokens can (revoke an admin key with DELETE /api/v1/auth/api-key/{key_id}).");
        }

        // A JWT (from /oauth/token or an external issuer) is not stored, so there is nothing to expire: refuse rather
        // than answer 204 to a token that keeps working until its exp.
        if (context.User.Identity?.AuthenticationType != TokenAuthenticationHandler.SchemeName)
        {
            throw new ApiException(StatusCodes.Status400BadRequest, "token_not_revocable",
                "A JWT cannot log out; it stays valid until it expires (its exp claim). Only app-portal tokens log out.");
        }

        await store.ExpireTokenAsync(context.User.TokenId(), time.Now(), context.RequestAborted);
        return TypedResults.NoContent();
    }

    /// <summary>A Svix session id: 1–64 of letters, digits, '@', '_' and '-'.</summary>
    private static void SessionId(Validator v, string location, string? value)
    {
        if (value is not null && (value.Length is 0 or > 64 || !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '@' or '_' or '-')))
        {
            v.Add(location, "pattern_mismatch", "must be 1 to 64 letters, digits, '@', '_' or '-'.");
        }
    }
}
