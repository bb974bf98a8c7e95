using System.Collections.Concurrent;

namespace Herald.Server.Auth;

/// <summary>
/// What a request to a route asks of an app-portal token: whether it changes anything, and which capability allows it.
/// Decided from the route's method and pattern, so routes added later are covered without anyone remembering to mark
/// them: a write no capability names needs a token with every capability.
/// </summary>
internal sealed record RouteAccess(string Pattern, bool AppScoped, string? ReadCapability, string? WriteCapability, bool WriteMayCarryIterator)
{
    private static readonly ConcurrentDictionary<string, RouteAccess> Cache = new(StringComparer.Ordinal);

    public static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);

    public static RouteAccess Of(RouteEndpoint endpoint) =>
        Cache.GetOrAdd(endpoint.RoutePattern.RawText ?? "", static raw => Classify(raw));

    /// <summary>True when the request changes stored state (every method but GET/HEAD, and a consumer read that commits its cursor).</summary>
    public bool Writes(HttpRequest request) =>
        !IsRead(request.Method) || (WriteMayCarryIterator && request.Query.ContainsKey("iterator"));

    /// <summary>The capability a limited token needs for this request; null: the request needs a token with every capability.</summary>
    public string? CapabilityFor(HttpRequest request) => Writes(request) ? WriteCapability : ReadCapability;

    private static RouteAccess Classify(string raw)
    {
        var pattern = raw.TrimEnd('/');
        var appScoped = pattern.StartsWith(AppScope.RoutePrefix, StringComparison.Ordinal);
        var readCapability = pattern.EndsWith("/secret", StringComparison.Ordinal)
            ? PortalCapabilities.ViewEndpointSecret
            : PortalCapabilities.ViewBase;
        string? writeCapability = null;
        if (pattern.EndsWith("/secret/rotate", StringComparison.Ordinal))
        {
            writeCapability = PortalCapabilities.ManageEndpointSecret;
        }
        else if (EndsWithAny(pattern, "/transformation", "/transformation/simulate"))
        {
            writeCapability = PortalCapabilities.ManageTransformations;
        }
        else if (EndsWithAny(pattern, "/resend", "/recover", "/replay-missing", "/bulk-replay", "/send-example"))
        {
            writeCapability = PortalCapabilities.CreateAttempts;
        }
        else if (pattern.StartsWith(AppScope.RoutePrefix + "/endpoint", StringComparison.Ordinal)
            || pattern.StartsWith(AppScope.RoutePrefix + "/destination", StringComparison.Ordinal))
        {
            writeCapability = PortalCapabilities.ManageEndpoint;
        }

        // GET …/consumer/{id}?iterator=… commits the consumer's cursor before reading.
        var consumerRead = pattern.EndsWith("/consumer/{consumer_id}", StringComparison.Ordinal);
        return new RouteAccess(pattern, appScoped, readCapability, writeCapability, consumerRead);
    }

    private static bool EndsWithAny(string pattern, params string[] suffixes) =>
        suffixes.Any(s => pattern.EndsWith(s, StringComparison.Ordinal));
}
