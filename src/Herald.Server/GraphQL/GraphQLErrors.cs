using GraphQL;
using Herald.Server.Api;

namespace Herald.Server.GraphQL;

/// <summary>
/// GraphQL errors with <c>extensions.code</c>: Herald's REST error codes in upper case (<c>validation_error</c> →
/// <c>VALIDATION_ERROR</c>, <c>read_only_token</c> → <c>READ_ONLY_TOKEN</c>), so a client can tell them apart as in REST.
/// </summary>
internal static class GraphQLErrors
{
    public static ExecutionError Invalid(string message) => new(message) { Code = "VALIDATION_ERROR" };

    public static ExecutionError Forbidden(string message) => new(message) { Code = "FORBIDDEN" };

    public static ExecutionError ReadOnly() => new("This token is read-only; mutations change data.") { Code = "READ_ONLY_TOKEN" };

    public static ExecutionError NotFound(string what) => new($"{what} not found.") { Code = "NOT_FOUND" };

    /// <summary>An <see cref="ApiException"/> of the shared REST code, as a GraphQL error.</summary>
    public static ExecutionError From(ApiException e) => new(Translate(e.Detail)) { Code = e.Code.ToUpperInvariant() };

    /// <summary>REST locations of the shared checks, named as the GraphQL arguments they came from.</summary>
    private static string Translate(string detail) => detail
        .Replace("query.limit", "first/last", StringComparison.Ordinal)
        .Replace("query.iterator", "after/before", StringComparison.Ordinal)
        .Replace("query.event_types", "eventTypes", StringComparison.Ordinal)
        .Replace("query.channel", "channel", StringComparison.Ordinal)
        .Replace("query.tag", "tag", StringComparison.Ordinal)
        .Replace("query.", "", StringComparison.Ordinal)
        .Replace("body.", "input.", StringComparison.Ordinal);
}
