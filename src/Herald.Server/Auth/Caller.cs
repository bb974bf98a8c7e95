using System.Security.Claims;
using Herald.Server.Api;

namespace Herald.Server.Auth;

/// <summary>
/// Who is calling, from the bearer token: an admin, or a token scoped to one application. Routes of an
/// application the token does not reach answer 404 exactly as if it did not exist (promise 7: a scoped
/// token cannot even learn that another application exists); admin-only routes answer 403.
/// </summary>
internal static class Caller
{
    public const string TokenIdClaim = "herald:token";
    public const string ApplicationClaim = "herald:app";
    public const string ReadOnlyClaim = "herald:read-only";
    public const string CapabilitiesLimitedClaim = "herald:capabilities-limited";
    public const string CapabilityClaim = "herald:capability";

    public static string TokenId(this ClaimsPrincipal user) => user.FindFirstValue(TokenIdClaim) ?? "";

    public static string? ScopedApplicationId(this ClaimsPrincipal user) => user.FindFirstValue(ApplicationClaim);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && user.ScopedApplicationId() is null;

    /// <summary>A read-only credential: an app-portal token created with <c>readOnly: true</c>, or a key or OAuth token with an <c>…:read</c> scope (<see cref="ApiScopes"/>).</summary>
    public static bool IsReadOnly(this ClaimsPrincipal user) => user.HasClaim(c => c.Type == ReadOnlyClaim);

    /// <summary>The capabilities of a limited app-portal token; null for a token with all of them (and for admin tokens).</summary>
    public static IReadOnlyList<string>? Capabilities(this ClaimsPrincipal user) =>
        user.HasClaim(c => c.Type == CapabilitiesLimitedClaim) ? user.FindAll(CapabilityClaim).Select(c => c.Value).ToList() : null;

    public static void RequireAdmin(this ClaimsPrincipal user)
    {
        if (!user.IsAdmin())
        {
            throw ApiException.Forbidden("This route needs an admin token; an application token cannot use it.");
        }
    }

    public static bool CanReach(this ClaimsPrincipal user, string applicationId) =>
        user.ScopedApplicationId() is not { } scoped || scoped == applicationId;
}
