using System.Security.Claims;
using Herald.Server.Api;

namespace Herald.Server.Auth;

/// <summary>What a credential may reach: every application or one (<see cref="ApplicationId"/>), to change or only to read.</summary>
internal sealed record ApiScope(string? ApplicationId, bool ReadOnly)
{
    public static readonly ApiScope Admin = new(null, false);

    /// <summary>The scope string: <c>admin</c>, <c>admin:read</c>, <c>app:{app_id}</c> or <c>app:{app_id}:read</c>.</summary>
    public override string ToString() => ApplicationId is null
        ? ReadOnly ? ApiScopes.AdminRead : ApiScopes.Admin
        : ApiScopes.AppPrefix + ApplicationId + (ReadOnly ? ApiScopes.ReadSuffix : "");
}

/// <summary>
/// The scope strings of API keys (and of OAuth access tokens, which map onto the same model), and the claims they
/// become. Authorization (<see cref="ApiAccess"/>) reads only those claims, never the credential's record, so any
/// credential with the same scopes is treated the same:
/// <list type="table">
/// <item><term><c>admin</c></term><description>every route: no <see cref="Caller.ApplicationClaim"/>.</description></item>
/// <item><term><c>admin:read</c></term><description>every read route; every write answers 403 <c>read_only_token</c>
/// (<see cref="Caller.ReadOnlyClaim"/>), and the API-key routes refuse it altogether.</description></item>
/// <item><term><c>app:{app_id}</c></term><description>that application's routes only, as an app-portal token with every
/// capability; other applications answer 404, admin routes 403. <c>{app_id}</c> is the application's id
/// (<c>app_…</c>), not its uid.</description></item>
/// <item><term><c>app:{app_id}:read</c></term><description>the same, reads only.</description></item>
/// </list>
/// A credential has one principal, so a list of scopes is resolved to one (<see cref="Resolve"/>): <c>admin</c> covers
/// everything; <c>admin:read</c> covers every read (<c>app:…:read</c> beside it adds nothing; an application write
/// beside it cannot be expressed, so the list is refused); otherwise the list must name one application, writable when
/// <c>app:{id}</c> is in it. OAuth's <c>ScopeGrant.Resolve</c> resolves the same way and maps its grant through
/// <see cref="ToClaims(ApiScope)"/>.
/// </summary>
internal static class ApiScopes
{
    public const string Admin = "admin";
    public const string AdminRead = "admin:read";
    public const string AppPrefix = "app:";
    public const string ReadSuffix = ":read";

    /// <summary>
    /// The claims for a list of scopes, for a credential authenticated elsewhere (an OAuth 2.0 access token): add them to
    /// the principal with its own token-id claim. Strings that are not Herald scopes (<c>openid</c>, <c>profile</c>…) are
    /// ignored; null when the list grants nothing or cannot be one principal (the caller then refuses the credential).
    /// </summary>
    public static IReadOnlyList<Claim>? ToClaims(IEnumerable<string> scopes) =>
        Resolve(scopes, out _, strict: false) is { } scope ? ToClaims(scope) : null;

    /// <summary>The claims of a scope: what <see cref="Caller"/> and <see cref="ApiAccess"/> read.</summary>
    public static IReadOnlyList<Claim> ToClaims(ApiScope scope)
    {
        List<Claim> claims = [];
        if (scope.ApplicationId is not null)
        {
            claims.Add(new Claim(Caller.ApplicationClaim, scope.ApplicationId));
        }

        if (scope.ReadOnly)
        {
            claims.Add(new Claim(Caller.ReadOnlyClaim, "true"));
        }

        return claims;
    }

    /// <summary>
    /// One principal for the list, or null with the reason in <paramref name="problem"/> when the list grants nothing or
    /// cannot be one principal (a write scope beside <c>admin:read</c>, two applications). With <paramref name="strict"/>
    /// (creating an API key) a string that is not a scope is refused too; otherwise it is ignored.
    /// </summary>
    public static ApiScope? Resolve(IEnumerable<string> scopes, out string? problem, bool strict)
    {
        problem = null;
        var admin = false;
        var adminRead = false;
        var apps = new Dictionary<string, bool>(StringComparer.Ordinal); // application id → writable
        foreach (var scope in scopes)
        {
            if (scope == Admin)
            {
                admin = true;
            }
            else if (scope == AdminRead)
            {
                adminRead = true;
            }
            else if (ParseApplication(scope) is var (applicationId, readOnly))
            {
                apps[applicationId] = apps.GetValueOrDefault(applicationId) || !readOnly;
            }
            else if (strict)
            {
                problem = $"'{scope}' is not a scope: use admin, admin:read, app:{{app_id}} or app:{{app_id}}:read.";
                return null;
            }
        }

        if (admin)
        {
            return ApiScope.Admin;
        }

        if (adminRead)
        {
            if (apps.ContainsValue(true))
            {
                problem = "combines admin:read with an application write scope: a key is either read-only everywhere or reaches one application.";
                return null;
            }

            return new ApiScope(null, true);
        }

        if (apps.Count > 1)
        {
            problem = "names several applications: a key reaches every application (admin, admin:read) or one.";
            return null;
        }

        if (apps.Count == 0)
        {
            problem = "must hold at least one scope.";
            return null;
        }

        var (id, writable) = apps.Single();
        return new ApiScope(id, !writable);
    }

    /// <summary>True for a well-formed scope string: <c>admin</c>, <c>admin:read</c>, <c>app:{id}</c> or <c>app:{id}:read</c>.</summary>
    public static bool IsValid(string scope) => scope is Admin or AdminRead || ParseApplication(scope) is not null;

    /// <summary><c>app:{id}</c> or <c>app:{id}:read</c> with a well-formed id or uid; null otherwise.</summary>
    public static (string ApplicationId, bool ReadOnly)? ParseApplication(string scope)
    {
        if (!scope.StartsWith(AppPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = scope[AppPrefix.Length..];
        var readOnly = rest.EndsWith(ReadSuffix, StringComparison.Ordinal);
        var id = readOnly ? rest[..^ReadSuffix.Length] : rest;
        return id.Length > 0 && Validator.IdentifierPattern().IsMatch(id) ? (id, readOnly) : null;
    }
}
