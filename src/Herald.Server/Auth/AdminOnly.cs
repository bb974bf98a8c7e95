namespace Herald.Server.Auth;

/// <summary>
/// Route metadata: only an admin token may use the route (403 for an application token). On an application's route
/// the application is resolved first, so a token that cannot reach it gets 404 and learns nothing.
/// <see cref="WritesOnly"/> marks a group whose reads everyone may use.
/// </summary>
internal sealed record AdminOnly(bool WritesOnly = false)
{
    public bool Applies(string method) => !WritesOnly || !RouteAccess.IsRead(method);
}

internal static class AdminOnlyExtensions
{
    /// <summary>Only admin tokens may use these routes (for a group: all of its routes, or with <paramref name="writesOnly"/> its writes).</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder, bool writesOnly = false) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AdminOnly(writesOnly));
}
