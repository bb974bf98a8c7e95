using Herald.Server.Auth;
using Herald.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Server.Tests.Auth;

/// <summary>One method of one route of the running server, as its <see cref="EndpointDataSource"/> lists it.</summary>
public sealed record ApiRoute(string Method, string Pattern, bool AdminOnlyForMethod)
{
    public bool IsWrite => Method is not ("GET" or "HEAD");

    public bool IsApplicationRoute => Pattern.StartsWith(AppScope.RoutePrefix, StringComparison.Ordinal);

    /// <summary>
    /// Every <c>/api/v1</c> route that needs a token, one row per method: the list is read from the server, so a route
    /// added later is walked by the tests that use it without anyone adding it here.
    /// </summary>
    public static IReadOnlyList<ApiRoute> All(HeraldApplication herald) =>
        [.. herald.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true)
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(method => new ApiRoute(
                method,
                e.RoutePattern.RawText!.TrimEnd('/'),
                e.Metadata.GetOrderedMetadata<AdminOnly>().Any(a => a.Applies(method)))))
            .Distinct()
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];

    /// <summary>The route's URL for <paramref name="tenant"/>'s objects (<paramref name="app"/> overrides the application).</summary>
    public string Url(Tenant tenant, string? app = null) => Pattern
        .Replace("{app_id}", app ?? tenant.Id)
        .Replace("{endpoint_id}", tenant.EndpointId)
        .Replace("{msg_id}", tenant.MessageId)
        .Replace("{event_type_name}", TwoApplicationsFixture.EventType)
        .Replace("{consumer_id}", "c1")
        .Replace("{sink_id}", "pull")
        .Replace("{attempt_id}", "atmpt_0000000000000000000000")
        // Any parameter a later route adds: a well-formed value naming nothing.
        .Split('/').Select(s => s.StartsWith('{') ? "walk-unknown" : s).Aggregate((a, b) => a + "/" + b);

    public override string ToString() => $"{Method} {Pattern}";
}
