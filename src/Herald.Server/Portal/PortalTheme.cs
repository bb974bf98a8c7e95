using System.Text.RegularExpressions;
using Herald.Server.Api;

namespace Herald.Server.Portal;

/// <summary>
/// Herald's addition to Svix's app-portal-access request: how the portal looks for this link. The values become the
/// query parameters svix-react's <c>AppPortal</c> sends (<c>darkMode</c>, <c>primaryColor</c>, <c>fontFamily</c>,
/// <c>icon</c>) in the returned URL, so a platform that opens the link itself (not through svix-react) themes it the
/// same way. Each is checked here by the rules the page applies (Assets/theme.js), so nothing the page would ignore
/// is accepted.
/// </summary>
public sealed record PortalThemeIn
{
    /// <summary>`true` (dark), `false` (light, the default) or `auto` (the reader's system setting).</summary>
    public string? DarkMode { get; init; }

    /// <summary>Accent colour of links, buttons and tabs: a hex colour, `#ff5500` or `#f50`.</summary>
    public string? PrimaryColor { get; init; }

    /// <summary>A font installed on the reader's device (the page downloads none), e.g. `Inter`.</summary>
    public string? FontFamily { get; init; }

    /// <summary>A logo shown next to the application's name: an `https:` or `data:image/` URL.</summary>
    public string? Icon { get; init; }
}

internal static partial class PortalTheme
{
    [GeneratedRegex("^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")]
    private static partial Regex Color();

    [GeneratedRegex(@"^[\w\s,'""-]{1,100}$")]
    private static partial Regex Font();

    public static void Validate(Validator v, string at, PortalThemeIn? theme)
    {
        if (theme is null)
        {
            return;
        }

        if (theme.DarkMode is not (null or "true" or "false" or "auto"))
        {
            v.Add($"{at}.darkMode", "invalid_value", "must be 'true', 'false' or 'auto'.");
        }

        if (theme.PrimaryColor is { } color && !Color().IsMatch(color))
        {
            v.Add($"{at}.primaryColor", "invalid_value", "must be a hex colour such as #ff5500.");
        }

        if (theme.FontFamily is { } font && !Font().IsMatch(font))
        {
            v.Add($"{at}.fontFamily", "invalid_value", "must be 1 to 100 letters, digits, spaces, commas, quotes or hyphens.");
        }

        if (theme.Icon is { } icon && (icon.Length > 8192
            || !(icon.StartsWith("https://", StringComparison.Ordinal) || icon.StartsWith("data:image/", StringComparison.Ordinal))))
        {
            v.Add($"{at}.icon", "invalid_value", "must be an https: or data:image/ URL of at most 8192 characters.");
        }
    }

    /// <summary>The query string (with its <c>?</c>) for the portal URL; empty without a theme.</summary>
    public static string Query(PortalThemeIn? theme)
    {
        if (theme is null)
        {
            return "";
        }

        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is { Length: > 0 })
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("darkMode", theme.DarkMode == "false" ? null : theme.DarkMode);
        Add("primaryColor", theme.PrimaryColor is { } c && !c.StartsWith('#') ? "#" + c : theme.PrimaryColor);
        Add("fontFamily", theme.FontFamily);
        Add("icon", theme.Icon);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}
