using System.Net;

namespace Herald.Server.Auth.OAuth;

internal static class OidcAuthority
{
    /// <summary>https, or http to a loopback address (a test issuer or a sidecar on the same machine: nothing crosses a network).</summary>
    public static bool IsHttpsOrLoopback(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip)));
}
