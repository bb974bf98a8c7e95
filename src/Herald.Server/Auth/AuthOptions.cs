using System.ComponentModel.DataAnnotations;

namespace Herald.Server.Auth;

/// <summary>Bound from <c>Herald:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Herald:Auth";

    /// <summary>
    /// An admin token chosen by the operator (scripted deployments). When set, Herald stores its hash and
    /// generates no token of its own. At least 24 characters.
    /// </summary>
    [MinLength(24, ErrorMessage = "Herald:Auth:AdminToken must be at least 24 characters long.")]
    public string? AdminToken { get; set; }

    /// <summary>Lifetime of app-portal tokens when the request names none. Default 7 days.</summary>
    public TimeSpan DefaultPortalTokenLifetime { get; set; } = TimeSpan.FromDays(7);
}
