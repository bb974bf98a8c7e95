using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// Turns a validated JWT into the caller Herald's authorization knows (<see cref="Caller"/>'s claims) — or refuses it
/// when its scopes give no Herald grant. The token id that keys idempotency and rate limits is the client, not the
/// token: <c>oauth:{client_id}</c> for Herald's tokens and <c>oidc:{sub}</c> for an external issuer's, so a client
/// that fetches a new token keeps its idempotency keys and its limits.
/// </summary>
internal static class OAuthPrincipal
{
    public static Task FromHeraldToken(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var scopes = ScopesOf(principal, OAuthTokenIssuer.ScopeClaim);
        Apply(context, "oauth:", principal.FindFirstValue(OAuthTokenIssuer.ClientIdClaim), scopes);
        return Task.CompletedTask;
    }

    public static Task FromExternalToken(TokenValidatedContext context)
    {
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptions<OidcOptions>>().Value;
        var principal = context.Principal!;
        var external = ScopesOf(principal, options.ScopeClaim);
        var scopes = options.Scopes.Where(m => external.Contains(m.External!)).Select(m => m.Herald!).ToHashSet(StringComparer.Ordinal);
        Apply(context, "oidc:", principal.FindFirstValue("sub"), scopes);
        return Task.CompletedTask;
    }

    private static void Apply(TokenValidatedContext context, string prefix, string? subject, IReadOnlyCollection<string> scopes)
    {
        if (string.IsNullOrEmpty(subject))
        {
            context.Fail("The token names no subject.");
            return;
        }

        if (ScopeGrant.Resolve(scopes, out var problem) is not { } grant)
        {
            context.Fail("The token's scope list " + problem);
            return;
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(grant.Claims(prefix + subject), context.Scheme.Name));
    }

    /// <summary>Scopes from a claim that is one space-separated string (RFC 9068) or an array (one claim per item).</summary>
    private static HashSet<string> ScopesOf(ClaimsPrincipal principal, string claimType) =>
        principal.FindAll(claimType).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
}
