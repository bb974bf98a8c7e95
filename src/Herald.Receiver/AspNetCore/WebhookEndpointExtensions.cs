using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Herald.Receiver.AspNetCore;

/// <summary>Maps webhook endpoints and adds webhook verification to existing endpoints.</summary>
public static class WebhookEndpointExtensions
{
    private static readonly object VerifiedWebhookKey = new();

    /// <summary>
    /// Maps <c>POST <paramref name="pattern"/></c> to a handler that runs only for verified, first-seen webhooks.
    /// Answers 400 (missing or malformed headers, or a body that does not bind to <typeparamref name="T"/>),
    /// 401 (no matching signature, stale timestamp), 403 (caller outside <see cref="WebhookEndpointOptions.AllowedNetworks"/>),
    /// 200 for a duplicate (not handed to the handler), 204 after the handler completes. When the handler throws,
    /// the id is released so that the sender's retry is processed.
    /// </summary>
    /// <remarks>
    /// To acknowledge fast, the handler can hand the delivery to a queue (e.g. a bounded
    /// <see cref="System.Threading.Channels.Channel{T}"/> read by a BackgroundService) and return.
    /// </remarks>
    /// <typeparam name="T">The payload's record type.</typeparam>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="pattern">The route pattern, e.g. <c>/webhooks</c>.</param>
    /// <param name="options">Scheme, secrets and limits.</param>
    /// <param name="handler">Processes one delivery.</param>
    /// <returns>The endpoint's convention builder, for metadata and authorization policies.</returns>
    public static IEndpointConventionBuilder MapWebhook<T>(
        this IEndpointRouteBuilder endpoints,
        string pattern,
        WebhookEndpointOptions options,
        Func<WebhookDelivery<T>, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(handler);
        var gate = new WebhookGate(options, endpoints.ServiceProvider);
        return endpoints.MapPost(pattern, async context =>
        {
            var (response, webhook) = await gate.AdmitAsync(context);
            if (response is not null)
            {
                await response.ExecuteAsync(context);
                return;
            }

            var verified = webhook!;
            T? payload;
            try
            {
                payload = JsonSerializer.Deserialize<T>(verified.RawBody.Span, options.JsonSerializerOptions);
            }
            catch (JsonException)
            {
                payload = default;
            }

            if (payload is null)
            {
                await Release(gate, verified.MessageId);
                await Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Unreadable payload", detail: $"The verified body is not a JSON {typeof(T).Name}.").ExecuteAsync(context);
                return;
            }

            try
            {
                await handler(new WebhookDelivery<T> { MessageId = verified.MessageId, Timestamp = verified.Timestamp, Payload = payload, RawBody = verified.RawBody }, context.RequestAborted);
            }
            catch
            {
                await Release(gate, verified.MessageId);
                throw;
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        });
    }

    /// <summary>
    /// Adds webhook verification and deduplication in front of an existing endpoint. The endpoint must not bind
    /// its body (the filter reads the raw bytes); it reads what was verified with <see cref="GetVerifiedWebhook"/>.
    /// Failures and duplicates are answered as by <see cref="MapWebhook{T}"/>.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder type.</typeparam>
    /// <param name="builder">The endpoint.</param>
    /// <param name="options">Scheme, secrets and limits.</param>
    /// <returns>The same builder.</returns>
    public static TBuilder RequireWebhookSignature<TBuilder>(this TBuilder builder, WebhookEndpointOptions options)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(options);
        builder.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var gate = new WebhookGate(options, factoryContext.ApplicationServices);
            return async invocation =>
            {
                var (response, webhook) = await gate.AdmitAsync(invocation.HttpContext);
                if (response is not null)
                {
                    return response;
                }

                invocation.HttpContext.Items[VerifiedWebhookKey] = webhook;
                try
                {
                    return await next(invocation);
                }
                catch
                {
                    await Release(gate, webhook!.MessageId);
                    throw;
                }
            };
        });
        return builder;
    }

    /// <summary>The webhook verified by <see cref="RequireWebhookSignature{TBuilder}"/> for this request.</summary>
    /// <param name="context">The request's context.</param>
    /// <returns>The verified webhook.</returns>
    /// <exception cref="InvalidOperationException">The endpoint has no webhook verification.</exception>
    public static VerifiedWebhook GetVerifiedWebhook(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Items[VerifiedWebhookKey] as VerifiedWebhook
            ?? throw new InvalidOperationException("This endpoint has no webhook verification; add RequireWebhookSignature(options).");
    }

    private static async Task Release(WebhookGate gate, string? messageId)
    {
        if (messageId is not null)
        {
            await gate.Store.ReleaseAsync(messageId, CancellationToken.None);
        }
    }
}
