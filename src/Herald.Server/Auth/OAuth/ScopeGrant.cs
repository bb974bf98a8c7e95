using System.Security.Claims;

namespace Herald.Server.Auth.OAuth;

/// <summary>
/// What an OAuth token may do, from its Herald scopes (the contract shared with API keys): <c>admin</c>,
/// <c>admin:read</c>, <c>app:{app_id}</c> and <c>app:{app_id}:read</c>. A token carries one grant — all applications
/// (admin, perhaps read-only) or one application (perhaps read-only) — because that is what <see cref="Caller"/>'s
/// claims can say; a set of scopes that needs more (two applications, or read-all plus writes to one) is refused.
/// </summary>
internal sealed record ScopeGrant(string? ApplicationId, bool ReadOnly)
{
    public const string Admin = "admin";
    public const string AdminRead = "admin:read";
    private const string AppPrefix = "app:";
    private const string ReadSuffix = ":read";

    /// <summary>True for a well-formed Herald scope string (an application id is 1–64 of letters, digits, '_', '-', '.').</summary>
    public static bool IsValid(string scope) =>
        scope is Admin or AdminRead || AppIdOf(scope) is not null;

    /// <summary>Whether a client allowed <paramref name="allowed"/> may ask for <paramref name="requested"/>: a scope covers itself and its read-only form; admin covers everything, admin:read every read.</summary>
    public static bool Covers(IEnumerable<string> allowed, string requested) => allowed.Any(a =>
        a == requested
        || a == Admin
        || (a == AdminRead && IsRead(requested))
        || (AppIdOf(a) is { } app && !IsRead(a) && requested == a + ReadSuffix && AppIdOf(requested) == app));

    /// <summary>The one grant that the scopes add up to; null when they name none, <paramref name="problem"/> set when they cannot be one grant.</summary>
    public static ScopeGrant? Resolve(IReadOnlyCollection<string> scopes, out string? problem)
    {
        problem = null;
        if (scopes.Contains(Admin))
        {
            return new ScopeGrant(null, ReadOnly: false);
        }

        var adminRead = scopes.Contains(AdminRead);
        var apps = scopes.Select(s => (App: AppIdOf(s), Read: IsRead(s))).Where(s => s.App is not null)
            .GroupBy(s => s.App!, StringComparer.Ordinal)
            .Select(g => (App: g.Key, Write: g.Any(s => !s.Read)))
            .ToList();
        if (adminRead && apps.All(a => !a.Write))
        {
            return new ScopeGrant(null, ReadOnly: true);
        }

        if (!adminRead && apps.Count == 1)
        {
            return new ScopeGrant(apps[0].App, ReadOnly: !apps[0].Write);
        }

        if (apps.Count > 0 || adminRead)
        {
            problem = "A token carries one of: admin, admin:read, app:{app_id} or app:{app_id}:read (one application); these scopes need more than one.";
        }

        return null;
    }

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
    public string Scope => ApplicationId is null
        ? (ReadOnly ? AdminRead : Admin)
        : AppPrefix + ApplicationId + (ReadOnly ? ReadSuffix : "");

    private static bool IsRead(string scope) => scope == AdminRead || (scope.EndsWith(ReadSuffix, StringComparison.Ordinal) && AppIdOf(scope) is not null && scope.Count(c => c == ':') == 2);

    private static string? AppIdOf(string scope)
    {
        if (!scope.StartsWith(AppPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = scope[AppPrefix.Length..];
        if (id.EndsWith(ReadSuffix, StringComparison.Ordinal))
        {
            id = id[..^ReadSuffix.Length];
        }

        return id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') ? id : null;
    }
}
