using System.Security.Claims;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// What an OAuth token may do, from its Herald scopes: the contract of API keys (<see cref="ApiScopes"/>), which parses
/// and resolves them. A token carries one grant — all applications (admin, perhaps read-only) or one application
/// (perhaps read-only) — because that is what <see cref="Caller"/>'s claims can say; a set of scopes that needs more
/// (two applications, or read-all plus writes to one) is refused.
/// </summary>
internal sealed record ScopeGrant(string? ApplicationId, bool ReadOnly)
{
    public const string Admin = ApiScopes.Admin;
    public const string AdminRead = ApiScopes.AdminRead;

    /// <summary>True for a well-formed Herald scope string.</summary>
    public static bool IsValid(string scope) => ApiScopes.IsValid(scope);

    /// <summary>Whether a client allowed <paramref name="allowed"/> may ask for <paramref name="requested"/>: a scope covers itself and its read-only form; admin covers everything, admin:read every read.</summary>
    public static bool Covers(IEnumerable<string> allowed, string requested)
    {
        var wanted = ApiScopes.ParseApplication(requested);
        var readRequested = requested == AdminRead || wanted is { ReadOnly: true };
        return allowed.Any(a =>
            a == requested
            || a == Admin
            || (a == AdminRead && readRequested)
            || (ApiScopes.ParseApplication(a) is { ReadOnly: false } app && wanted is { ReadOnly: true } w
                && string.Equals(app.ApplicationId, w.ApplicationId, StringComparison.Ordinal)));
    }

    /// <summary>The one grant that the scopes add up to; null with the reason in <paramref name="problem"/> when they name none or cannot be one grant.</summary>
    public static ScopeGrant? Resolve(IReadOnlyCollection<string> scopes, out string? problem) =>
        ApiScopes.Resolve(scopes, out problem, strict: false) is { } scope ? new ScopeGrant(scope.ApplicationId, scope.ReadOnly) : null;

    /// <summary>Caller's claims for the grant; <paramref name="tokenId"/> keys idempotency and rate limits.</summary>
    public IEnumerable<Claim> Claims(string tokenId)
    {
        // The same mapping stored API keys go through, so a JWT and a key with one scope are one kind of caller.
        yield return new Claim(Caller.TokenIdClaim, tokenId);
        foreach (var claim in ApiScopes.ToClaims(new ApiScope(ApplicationId, ReadOnly)))
        {
            yield return claim;
        }
    }

    /// <summary>The scope string of this grant, as a token response reports it.</summary>
    public string Scope => new ApiScope(ApplicationId, ReadOnly).ToString();
}
