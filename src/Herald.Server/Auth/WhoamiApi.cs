namespace Herald.Server.Auth;

/// <summary>
/// Svix's WhoamiOut, with what Herald's app portal needs to know about its own token: whether it may write, and which
/// capabilities it has (so read-only tokens are shown no write controls; the API refuses their writes anyway).
/// </summary>
/// <param name="AppId">The application the token is limited to; null for an admin token.</param>
/// <param name="PermissionSource">Svix's (unstable) authentication source; Herald answers <c>Unknown</c>.</param>
/// <param name="Admin">Herald: true for an admin token (every application and admin-only route).</param>
/// <param name="ReadOnly">Herald: true for an app-portal token created with <c>readOnly: true</c>.</param>
/// <param name="Capabilities">Herald: the app-portal capabilities the token has (all of them for an unlimited or admin token).</param>
public sealed record WhoamiOut(string? AppId, string PermissionSource, bool Admin, bool ReadOnly, IReadOnlyList<string> Capabilities);

internal static class WhoamiApi
{
    public static RouteHandlerBuilder MapWhoami(this RouteGroupBuilder api) =>
        api.MapGet("/auth/whoami", (HttpContext context) =>
            {
                var user = context.User;
                var readOnly = user.IsReadOnly();
                // Without a limit a token has every capability.
                var capabilities = user.Capabilities()
                    ?? (readOnly ? [PortalCapabilities.ViewBase] : [.. PortalCapabilities.All]);
                return TypedResults.Ok(new WhoamiOut(user.ScopedApplicationId(), "Unknown", user.IsAdmin(), readOnly, capabilities));
            })
            .WithTags("Authentication")
            .WithSummary("What the calling token may reach: its application (none for an admin token), read-only flag and capabilities.")
            .WithDescription("Answers 200 for every valid token. The app portal reads it to hide the controls its token may not use.");
}
