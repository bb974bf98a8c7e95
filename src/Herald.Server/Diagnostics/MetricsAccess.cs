using System.Net;
using System.Security.Cryptography;
using System.Text;
using Herald.Server.Api;
using Herald.Server.Auth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Herald.Server.Diagnostics;

/// <summary>
/// Who may read <c>/metrics</c> (see <see cref="MetricsOptions.AllowAnonymous"/>): anyone while Herald is reachable
/// from this machine only, else the bearer of the metrics token or of an admin token.
/// </summary>
internal sealed class MetricsAccess(IOptions<MetricsOptions> options, IServer server)
{
    private readonly byte[]? _token = options.Value.Token is { } token ? Encoding.UTF8.GetBytes(token) : null;

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (AllowsAnonymous(context.Request) || HasMetricsToken(context.Request) || context.User.IsAdmin())
        {
            await next(context);
            return;
        }

        if (context.User.Identity?.IsAuthenticated == true)
        {
            await ApiErrorHandling.WriteAsync(context, StatusCodes.Status403Forbidden, "forbidden", "Metrics need the metrics token or an admin token.");
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await ApiErrorHandling.WriteAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
            "Metrics need 'Authorization: Bearer <token>' with Herald:Metrics:Token or an admin token.");
    }

    private bool AllowsAnonymous(HttpRequest request) => options.Value.AllowAnonymous
        ?? (!request.Headers.ContainsKey("X-Forwarded-For") && !request.Headers.ContainsKey("Forwarded") && ListensOnLoopbackOnly(Addresses()));

    private IReadOnlyCollection<string> Addresses() =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses is { } addresses ? [.. addresses] : [];

    /// <summary>
    /// True when every address Herald listens on is a loopback one (<c>localhost</c>, <c>127.x</c>, <c>[::1]</c>), or
    /// when it listens on none (hosted in memory, as in tests). A wildcard, a host name, an interface's address or a
    /// Unix socket (a proxy's way in) is beyond loopback.
    /// </summary>
    public static bool ListensOnLoopbackOnly(IEnumerable<string> addresses) => addresses.All(address =>
    {
        var host = BindingAddress.Parse(address) is { IsUnixPipe: false, IsNamedPipe: false } binding ? binding.Host : null;
        return host is not null
            && (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip)));
    });

    private bool HasMetricsToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (_token is null || header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[7..].Trim()), _token);
    }
}
