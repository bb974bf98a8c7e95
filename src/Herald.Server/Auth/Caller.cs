using System.Security.Claims;
using Herald.Server.Api;
using Herald.Server.Applications;
using Herald.Server.Storage;

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

    public static string TokenId(this ClaimsPrincipal user) => user.FindFirstValue(TokenIdClaim) ?? "";

    public static string? ScopedApplicationId(this ClaimsPrincipal user) => user.FindFirstValue(ApplicationClaim);

    public static bool IsAdmin(this ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true && user.ScopedApplicationId() is null;

    public static void RequireAdmin(this ClaimsPrincipal user)
    {
        if (!user.IsAdmin())
        {
            throw ApiException.Forbidden("This route needs an admin token; an application token cannot use it.");
        }
    }

    public static bool CanReach(this ClaimsPrincipal user, string applicationId) =>
        user.ScopedApplicationId() is not { } scoped || scoped == applicationId;

    private const string FixedScopeKey = "herald:endpoint-scope";

    /// <summary>Serves the endpoint routes of an internal application (operational webhooks) instead of the route's <c>{app_id}</c>.</summary>
    public static void SetEndpointScope(this HttpContext context, string applicationId) => context.Items[FixedScopeKey] = applicationId;

    /// <summary>The application whose endpoints the route manages: the fixed scope if set, else the route's <c>{app_id}</c> (404 when unreachable).</summary>
    public static async Task<string> GetEndpointScopeAsync(this HttpContext context, IHeraldStore store) =>
        context.Items.TryGetValue(FixedScopeKey, out var scope) && scope is string fixedId
            ? fixedId
            : (await context.GetApplicationAsync(store, context.GetRouteValue("app_id") as string ?? "")).Id;

    /// <summary>The application named by id or uid, if this caller may reach it; else 404.</summary>
    public static async Task<Application> GetApplicationAsync(this HttpContext context, IHeraldStore store, string appIdOrUid)
    {
        var application = await store.GetApplicationAsync(appIdOrUid, context.RequestAborted);
        if (application is null || !context.User.CanReach(application.Id))
        {
            throw ApiException.NotFound("Application");
        }

        return application;
    }
}
