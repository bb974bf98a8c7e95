using System.Security.Claims;
using System.Text.Encodings.Web;
using Herald.Server.Api;
using Herald.Server.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth;

/// <summary>Authenticates <c>Authorization: Bearer …</c> against the stored token hashes.</summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ITokenStore store,
    ApiKeyUsage usage,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "HeraldToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            return AuthenticateResult.Fail("The Authorization header must be 'Bearer <token>'.");
        }

        // The lookup is by hash, so the presented token is never compared byte by byte with a stored one.
        var token = await store.FindTokenAsync(TokenHashing.Hash(header[7..].Trim()), Context.RequestAborted);
        if (token is null)
        {
            return AuthenticateResult.Fail("Unknown token.");
        }

        // Checked apart from the expiry so that a revocation holds on every node at once, whatever its clock says.
        if (token.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The token was revoked.");
        }

        var now = time.Now();
        if (token.ExpiresAt is { } expiry && expiry <= now)
        {
            return AuthenticateResult.Fail("The token has expired.");
        }

        if (token.IsApiKey)
        {
            await usage.RecordAsync(token, now, Context.RequestAborted);
        }

        // The scope becomes claims exactly as ApiScopes maps scope strings, so authorization sees no difference between
        // a stored token and a credential from elsewhere with the same scopes.
        List<Claim> claims = [new(Caller.TokenIdClaim, token.Id), .. ApiScopes.ToClaims(new ApiScope(token.ApplicationId, token.ReadOnly))];

        if (token.Capabilities is { } capabilities)
        {
            // One claim per capability, plus a marker: a token limited to no capability at all still differs from one with all.
            claims.Add(new Claim(Caller.CapabilitiesLimitedClaim, "true"));
            claims.AddRange(capabilities.Select(c => new Claim(Caller.CapabilityClaim, c)));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var detail = Request.Headers.Authorization.Count == 0
            ? "Send 'Authorization: Bearer <token>'."
            : "The bearer token is invalid or expired.";
        return ApiErrorHandling.WriteAsync(Context, StatusCodes.Status401Unauthorized, "unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiErrorHandling.WriteAsync(Context, StatusCodes.Status403Forbidden, "forbidden", "This token may not use this route.");
}
