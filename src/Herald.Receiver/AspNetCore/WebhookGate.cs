using Herald.Receiver.Replay;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.Receiver.AspNetCore;

/// <summary>
/// The checks every webhook request passes before a handler sees it: caller network, body size, signature,
/// duplicate. Shared by MapWebhook and the endpoint filter.
/// </summary>
internal sealed class WebhookGate
{
    private readonly WebhookEndpointOptions _options;
    private readonly WebhookVerifier _verifier;
    private readonly IWebhookReplayStore _store;

    public WebhookGate(WebhookEndpointOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        _verifier = new WebhookVerifier(options.Scheme, options.Secrets, options.Tolerance, time);
        _store = options.ReplayStore ?? services.GetService<IWebhookReplayStore>() ?? new InMemoryWebhookReplayStore(time);
    }

    public IWebhookReplayStore Store => _store;

    /// <summary>Either a response to send now (rejection or duplicate) or the verified, claimed webhook.</summary>
    public async Task<(IResult? Response, VerifiedWebhook? Webhook)> AdmitAsync(HttpContext context)
    {
        if (!CallerAllowed(context))
        {
            return (Problem(StatusCodes.Status403Forbidden, "Caller not allowed", "The caller's address is outside the allowed networks."), null);
        }

        if (await ReadBodyAsync(context) is not { } body)
        {
            return (Problem(StatusCodes.Status413PayloadTooLarge, "Body too large", $"The body exceeds {_options.MaxBodyBytes} bytes."), null);
        }

        var result = _verifier.Verify(body, name => context.Request.Headers.TryGetValue(name, out var value) ? value.ToString() : null);
        if (!result.IsVerified)
        {
            var status = result.Failure is WebhookFailure.MissingHeader or WebhookFailure.MalformedHeader
                ? StatusCodes.Status400BadRequest
                : StatusCodes.Status401Unauthorized;
            return (Problem(status, result.Failure.ToString()!, result.FailureMessage!), null);
        }

        if (result.MessageId is { } id && !await _store.TryClaimAsync(id, _options.ReplayHorizon, context.RequestAborted))
        {
            // A duplicate was processed already: acknowledge it so the sender stops retrying.
            return (Results.Ok(new { duplicate = true, id }), null);
        }

        return (null, new VerifiedWebhook(result.MessageId, result.Timestamp, body));
    }

    private bool CallerAllowed(HttpContext context)
    {
        if (_options.AllowedNetworks.Count == 0)
        {
            return true;
        }

        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return false;
        }

        address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return _options.AllowedNetworks.Any(network => network.Contains(address));
    }

    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > _options.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > _options.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);
}
