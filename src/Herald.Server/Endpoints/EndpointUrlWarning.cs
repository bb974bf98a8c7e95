using System.Net;
using System.Net.Sockets;
using Herald.Server.Delivery;

namespace Herald.Server.Endpoints;

/// <summary>
/// Tells whoever creates or changes an endpoint that its deliveries will fail because its host resolves only to
/// addresses the <see cref="AddressGuard"/> refuses (e.g. <c>localhost</c> outside dev mode).
/// </summary>
/// <remarks>
/// A warning, not a 422: the endpoint is still stored and answered with 201/200, so Svix SDK flows (which would throw
/// on a 4xx) keep working, and the address may become allowed later (DNS or <c>AllowedNetworks</c> changes). The text
/// goes in a <c>Herald-Warning</c> response header and in a <c>warning</c> field of the endpoint; Svix SDK models
/// ignore both, Herald's client and CLI show them. The sender checks again at every connect, whatever was said here.
/// </remarks>
internal static class EndpointUrlWarning
{
    public const string Header = "Herald-Warning";

    /// <summary>How long the check may wait for DNS; a slower or failed lookup gives no warning (DNS may be fixed before the first message).</summary>
    private static readonly TimeSpan LookupLimit = TimeSpan.FromSeconds(2);

    /// <summary>The warning for <paramref name="url"/>, or null when Herald may connect to one of its addresses (or it did not resolve in time).</summary>
    public static async Task<string?> ForAsync(string url, AddressGuard guard, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.IdnHost.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            using var limit = new CancellationTokenSource(LookupLimit, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
            try
            {
                addresses = await Dns.GetHostAddressesAsync(host, linked.Token);
            }
            catch (Exception e) when (e is SocketException or ArgumentException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                return null;
            }
        }

        // As the sender: it dials the first allowed address, so the URL is refused only when every address is.
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (guard.Refusal(address) is not { } reason)
            {
                return null;
            }

            refusal ??= reason;
        }

        return refusal is null ? null : $"Deliveries to this URL will fail: {refusal}. For local development, start Herald with --dev.";
    }

    /// <summary>The endpoint as answered, with the warning in its body and in the <c>Herald-Warning</c> header when there is one.</summary>
    public static async Task<EndpointOut> AnswerAsync(HeraldEndpoint endpoint, HttpContext context)
    {
        var services = context.RequestServices;
        var warning = await ForAsync(endpoint.Url, services.GetRequiredService<AddressGuard>(), services.GetRequiredService<TimeProvider>(), context.RequestAborted);
        if (warning is null)
        {
            return EndpointOut.From(endpoint);
        }

        context.Response.Headers[Header] = warning;
        return EndpointOut.From(endpoint) with { Warning = warning };
    }
}
