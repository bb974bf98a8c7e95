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
    IHeraldStore store,
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

        if (token.ExpiresAt is { } expiry && expiry <= time.Now())
        {
            return AuthenticateResult.Fail("The token has expired.");
        }

        List<Claim> claims = [new(Caller.TokenIdClaim, token.Id)];
        if (token.ApplicationId is not null)
        {
            claims.Add(new Claim(Caller.ApplicationClaim, token.ApplicationId));
        }

        if (token.ReadOnly)
        {
            claims.Add(new Claim(Caller.ReadOnlyClaim, "true"));
        }

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
