namespace Herald.Server.Auth;

/// <summary>
/// Route metadata: only an admin token may use the route (403 for an application token). On an application's route
/// the application is resolved first, so a token that cannot reach it gets 404 and learns nothing.
/// <see cref="WritesOnly"/> marks a group whose reads everyone may use. <see cref="FullAdmin"/> refuses a read-only admin
/// credential (<c>admin:read</c>) even the reads, with 403 <c>read_only_token</c>.
/// </summary>
internal sealed record AdminOnly(bool WritesOnly = false, bool FullAdmin = false)
{
    public bool Applies(string method) => !WritesOnly || !RouteAccess.IsRead(method);
}

internal static class AdminOnlyExtensions
{
    /// <summary>
    /// Only admin tokens may use these routes (for a group: all of its routes, or with <paramref name="writesOnly"/> its
    /// writes); with <paramref name="fullAdmin"/> not a read-only admin either, not even to read.
    /// </summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder, bool writesOnly = false, bool fullAdmin = false) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AdminOnly(writesOnly, fullAdmin));
}
