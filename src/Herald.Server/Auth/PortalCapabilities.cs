using Herald.Server.Api;

namespace Herald.Server.Auth;

/// <summary>
/// Svix's AppPortalCapability values: what an app-portal token may do. A token without capabilities has all of them
/// (Svix's default); <c>readOnly</c> is <see cref="ViewBase"/> alone. Herald enforces each on its routes
/// (<see cref="RouteAccess"/>).
/// </summary>
internal static class PortalCapabilities
{
    /// <summary>Reads everything but endpoint secrets. Svix requires it in every list of capabilities.</summary>
    public const string ViewBase = "ViewBase";

    /// <summary>Reads endpoint secrets.</summary>
    public const string ViewEndpointSecret = "ViewEndpointSecret";

    /// <summary>Rotates (and reads) endpoint secrets.</summary>
    public const string ManageEndpointSecret = "ManageEndpointSecret";

    /// <summary>Reads, changes and simulates endpoint transformations.</summary>
    public const string ManageTransformations = "ManageTransformations";

    /// <summary>Creates attempts: resend, recover, replay, send-example.</summary>
    public const string CreateAttempts = "CreateAttempts";

    /// <summary>Creates, changes and deletes endpoints (and polling endpoints), their headers and secrets.</summary>
    public const string ManageEndpoint = "ManageEndpoint";

    public static readonly IReadOnlyList<string> All =
        [ViewBase, ViewEndpointSecret, ManageEndpointSecret, ManageTransformations, CreateAttempts, ManageEndpoint];

    /// <summary>The capabilities that let a token change something (none of them may come with <c>readOnly</c>).</summary>
    private static readonly string[] Writes = [ManageEndpointSecret, ManageTransformations, CreateAttempts, ManageEndpoint];

    /// <summary>
    /// The capabilities to store for an <c>app-portal-access</c> request: null (all) when neither option limits the
    /// token, else the distinct list; refuses unknown names, a list without ViewBase, and a
    /// write capability together with <c>readOnly: true</c>.
    /// </summary>
    public static IReadOnlyList<string>? Resolve(Validator v, IReadOnlyList<string>? requested, bool readOnly)
    {
        if (requested is null)
        {
            return readOnly ? [ViewBase] : null;
        }

        for (var i = 0; i < requested.Count; i++)
        {
            if (!All.Contains(requested[i]))
            {
                v.Add($"body.capabilities.{i}", "unknown_capability", $"'{requested[i]}' is not an app-portal capability ({string.Join(", ", All)}).");
            }
            else if (readOnly && Writes.Contains(requested[i]))
            {
                v.Add($"body.capabilities.{i}", "conflicts_with_read_only", $"{requested[i]} lets the token change things, which body.readOnly forbids.");
            }
        }

        if (!requested.Contains(ViewBase))
        {
            v.Add("body.capabilities", "missing_view_base", "must include ViewBase, which every app-portal token needs.");
        }

        return requested.Distinct(StringComparer.Ordinal).ToList();
    }
}
