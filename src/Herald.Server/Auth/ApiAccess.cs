using System.Security.Claims;
using Herald.Server.Api;

namespace Herald.Server.Auth;

/// <summary>
/// The one place every <c>/api/v1</c> request is authorized, after authentication and before its handler (an endpoint
/// filter of the API group), in this order:
/// <list type="number">
/// <item>an application route (<c>/app/{app_id}/…</c>) resolves its application; a token that cannot reach it gets 404,
/// as for an application that does not exist;</item>
/// <item>an admin-only route (<see cref="AdminOnly"/>) answers 403 to an application token;</item>
/// <item>a read-only credential (<see cref="Caller.ReadOnlyClaim"/>: a <c>readOnly</c> app-portal token, an <c>admin:read</c>
/// or <c>app:{id}:read</c> key, an OAuth token with such a scope) gets 403 <c>read_only_token</c> on every write, and on
/// every route of a full-admin group (<see cref="AdminOnly.FullAdmin"/>);</item>
/// <item>an app-portal token limited by <c>capabilities</c> gets 403 for what it was not given.</item>
/// </list>
/// Handlers therefore never check a token themselves; they take the resolved <see cref="CurrentApplication"/>. Only the
/// principal's claims are read, never the token's record: any credential with the same claims is treated the same.
/// </summary>
internal static class ApiAccess
{
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.GetEndpoint() is not RouteEndpoint endpoint)
        {
            return await next(context);
        }

        var route = RouteAccess.Of(endpoint);
        var user = http.User;
        if (route.AppScoped && await AppScope.ResolveAsync(http) is null && !user.IsAdmin())
        {
            throw ApiException.NotFound("Application");
        }

        var adminOnly = endpoint.Metadata.GetOrderedMetadata<AdminOnly>();
        if (!user.IsAdmin() && adminOnly.Any(a => a.Applies(http.Request.Method)))
        {
            throw ApiException.Forbidden("This route needs an admin token; an application token cannot use it.");
        }

        if (user.IsReadOnly() && adminOnly.Any(a => a.FullAdmin))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "read_only_token",
                $"{http.Request.Method} {route.Pattern} needs a full-admin key; this one is read-only.");
        }

        CheckPortalLimits(user, route, http.Request);
        return await next(context);
    }

    private static void CheckPortalLimits(ClaimsPrincipal user, RouteAccess route, HttpRequest request)
    {
        // Logging out only ends the caller's own token: every token may.
        if (route.Pattern.EndsWith("/auth/logout", StringComparison.Ordinal))
        {
            return;
        }

        var writes = route.Writes(request);
        if (writes && user.IsReadOnly())
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "read_only_token",
                $"This token is read-only; {request.Method} {route.Pattern} changes data.");
        }

        if (user.Capabilities() is not { } capabilities)
        {
            return;
        }

        var needed = route.CapabilityFor(request);
        if (needed is null)
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "missing_capability",
                $"{request.Method} {route.Pattern} needs a token with every capability; this token was given only {string.Join(", ", capabilities)}.");
        }

        if (!Grants(capabilities, needed))
        {
            throw new ApiException(StatusCodes.Status403Forbidden, "missing_capability",
                $"{request.Method} {route.Pattern} needs the {needed} capability, which this token was not given.");
        }
    }

    /// <summary>As Svix documents them: ManageEndpoint includes the secret capabilities, ManageEndpointSecret includes viewing it.</summary>
    private static bool Grants(IReadOnlyCollection<string> capabilities, string needed) =>
        capabilities.Contains(needed) || needed switch
        {
            PortalCapabilities.ViewEndpointSecret => capabilities.Contains(PortalCapabilities.ManageEndpointSecret) || capabilities.Contains(PortalCapabilities.ManageEndpoint),
            PortalCapabilities.ManageEndpointSecret => capabilities.Contains(PortalCapabilities.ManageEndpoint),
            _ => false,
        };
}
