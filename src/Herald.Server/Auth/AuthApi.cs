using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth;

public sealed record AppPortalAccessIn
{
    public ApplicationIn? Application { get; init; }
    public bool? ReadOnly { get; init; }
    public IReadOnlyList<string>? Capabilities { get; init; }
    public IReadOnlyList<string>? FeatureFlags { get; init; }

    /// <summary>Token lifetime in seconds (default 7 days, at most 7 days).</summary>
    public long? Expiry { get; init; }
    public string? SessionId { get; init; }
}

public sealed record AppPortalAccessOut(string Url, string Token);

internal static class AuthApi
{
    private const long MaxExpirySeconds = 7 * 24 * 3600;

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Authentication");
        group.MapPost("/app-portal-access/{app_id}", AppPortalAccessAsync)
            .Accepts<AppPortalAccessIn>("application/json")
            .WithSummary("Get a token (and app-portal URL) that reaches one application only.");
        return group;
    }

    private static async Task<Ok<AppPortalAccessOut>> AppPortalAccessAsync(
        string app_id, HttpContext context, IHeraldStore store, Ids ids, TimeProvider time, IOptions<AuthOptions> authOptions, IOptions<ApiOptions> apiOptions)
    {
        context.User.RequireAdmin();
        using var body = await JsonBody.ReadAsync(context.Request, HeraldJsonContext.Api.AppPortalAccessIn, context.RequestAborted);
        var input = body.Value;
        var validator = new Validator();
        if (input.Expiry is { } e && (e < 1 || e > MaxExpirySeconds))
        {
            validator.Add("body.expiry", "out_of_range", $"must be from 1 to {MaxExpirySeconds} seconds.");
        }

        if (input.Application is not null)
        {
            ApplicationsApi.Validate(validator, input.Application, "body.application");
        }

        validator.ThrowIfInvalid();

        var application = await store.GetApplicationAsync(app_id, context.RequestAborted)
            ?? await ApplicationsApi.CreateOnTheFlyAsync(app_id, input.Application, store, ids, time, context.RequestAborted)
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
        }, context.RequestAborted);

        var baseUrl = apiOptions.Value.PublicUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}";
        // The token travels in the URL fragment, which browsers never send to servers or proxies' logs.
        return TypedResults.Ok(new AppPortalAccessOut($"{baseUrl}/app-portal/{application.Id}#token={token}", token));
    }
}
