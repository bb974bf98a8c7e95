using System.Text;

namespace Herald.Server.Applications;

/// <summary>
/// Svix's <c>exclude_apps_with_*</c> filters of the application list. Only webhook endpoints count (polling
/// endpoints and operational-webhook endpoints do not), as in Svix where they are other resources.
/// </summary>
public sealed record ApplicationFilter(bool ExcludeWithNoEndpoints = false, bool ExcludeWithDisabledEndpoints = false, bool ExcludeWithSvixPlayEndpoints = false)
{
    /// <summary>Svix Play endpoints are the inspection URLs of play.svix.com; Herald recognizes them by their URL (a LIKE pattern).</summary>
    public const string SvixPlayUrlPattern = "https://play.svix.com/%";

    /// <summary>
    /// The SQL conditions (each starting with " AND ") over <c>applications</c>; <paramref name="enabled"/> is the engine's
    /// "endpoint is enabled" predicate. The parameter <c>@playUrl</c> must be bound to <see cref="SvixPlayUrlPattern"/>.
    /// </summary>
    public static string Sql(ApplicationFilter filter, string enabled)
    {
        var sql = new StringBuilder();
        const string Endpoints = "SELECT 1 FROM endpoints e WHERE e.app_id = applications.id";
        if (filter.ExcludeWithNoEndpoints)
        {
            sql.Append($" AND EXISTS ({Endpoints})");
        }

        // "Only disabled" / "only Svix Play": an application without endpoints is not excluded by these two.
        if (filter.ExcludeWithDisabledEndpoints)
        {
            sql.Append($" AND (NOT EXISTS ({Endpoints}) OR EXISTS ({Endpoints} AND {enabled}))");
        }

        if (filter.ExcludeWithSvixPlayEndpoints)
        {
            sql.Append($" AND (NOT EXISTS ({Endpoints}) OR EXISTS ({Endpoints} AND e.url NOT LIKE @playUrl))");
        }

        return sql.ToString();
    }
}
