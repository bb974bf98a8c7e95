using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Herald.Server.Portal;

/// <summary>Bound from <c>Herald:Portal</c>: the app portal and operator dashboard pages (docs/PORTAL.md).</summary>
public sealed class PortalOptions
{
    public const string Section = "Herald:Portal";

    /// <summary>
    /// Origins allowed to embed the app portal in an iframe, sent as the portal page's CSP <c>frame-ancestors</c>
    /// (with <c>'self'</c>): e.g. <c>https://app.example.com</c> or <c>https://*.example.com</c>. Empty (the default):
    /// only Herald's own pages may frame it. The dashboard and <c>/docs</c> are never framed.
    /// </summary>
    public List<string> FrameAncestors { get; set; } = [];

    /// <summary>Serves the app portal at <c>/app-portal/{app_id}</c> and the dashboard at <c>/</c>. Default true.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>Refuses frame-ancestors entries a browser would misread: each must be a scheme://host[:port] origin.</summary>
internal sealed partial class PortalOptionsValidation : IValidateOptions<PortalOptions>
{
    // A CSP host-source restricted to an origin: http(s) scheme, a host (optionally "*." first) and an optional port.
    [GeneratedRegex(@"^https?://(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:([0-9]{1,5}|\*))?$")]
    private static partial Regex Origin();

    public ValidateOptionsResult Validate(string? name, PortalOptions options)
    {
        var wrong = options.FrameAncestors.Where(o => !Origin().IsMatch(o)).ToList();
        return wrong.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                $"{PortalOptions.Section}:FrameAncestors: {string.Join(", ", wrong.Select(w => $"'{w}'"))} is not an origin such as https://app.example.com or https://*.example.com (scheme, host, optional port; no path).");
    }
}
