using Herald.Server.Api;
using Herald.Server.Auth;
using Herald.Server.Storage;

namespace Herald.Server.Endpoints;

/// <summary>
/// The verify route of an endpoint (start a new round of ownership verification) and the handshake's callback URL,
/// which the receiver calls without a token of Herald's: its path carries a one-time token (256 random bits) stored
/// only as its SHA-256.
/// </summary>
internal static class EndpointVerificationApi
{
    public static void MapEndpointVerification(this RouteGroupBuilder endpoints) =>
        endpoints.MapPost("/{endpoint_id}/verify", VerifyAsync).WithSummary("Run the endpoint's ownership verification again.")
            .WithDescription("Herald's addition. Starts a new round of the endpoint's verification (its `verificationMethod`): the status becomes `pending`, the check runs at once, and deliveries wait until it succeeds. Answers 202 with the endpoint; 409 when the endpoint has no verification method. Does not re-enable an endpoint that was disabled.");

    /// <summary><c>GET|POST /api/v1/endpoint-verification/{token}</c>: the receiver grants access (CloudEvents webhook spec 4.1.2, WebHook-Request-Callback).</summary>
    public static void MapVerificationCallback(this IEndpointRouteBuilder app) =>
        app.MapMethods(EndpointVerificationChecks.CallbackPath + "{token}", ["GET", "POST"], CallbackAsync)
            // Not in the OpenAPI document: receivers call it from the URL they were given, API clients never do.
            .AllowAnonymous().AddEndpointFilter(ApiErrorHandling.Filter).ExcludeFromDescription();

    private static async Task<Accepted<EndpointOut>> VerifyAsync(string endpoint_id, EndpointScope scope, HttpContext context, IEndpointStore endpoints, IVerificationStore store, TimeProvider time)
    {
        var endpoint = await scope.FindEndpointAsync(endpoints, endpoint_id, context.RequestAborted);
        if (endpoint.Verification is not { } current)
        {
            throw ApiException.Conflict("This endpoint has no verification method; set verificationMethod (handshake or ping) with PATCH first.", "verification_not_enabled");
        }

        var restarted = EndpointVerification.Start(current.Method, time.GetUtcNow());
        await store.SetEndpointVerificationAsync(endpoint.Id, restarted, restarted.StartedAt, context.RequestAborted);
        return TypedResults.Accepted((string?)null, EndpointOut.From(endpoint with { Verification = restarted }));
    }

    private static async Task<Ok> CallbackAsync(
        string token, HttpContext context, IVerificationStore store, TimeProvider time, Microsoft.Extensions.Options.IOptions<Delivery.DeliveryOptions> options, ILogger<EndpointVerifier> logger)
    {
        var endpoint = token.Length is > 20 and < 100
            ? await store.FindEndpointByVerificationTokenAsync(EndpointVerificationChecks.HashToken(token), context.RequestAborted)
            : null;
        var now = time.GetUtcNow();
        if (endpoint?.Verification is not { Status: VerificationStatus.Pending } pending || now >= pending.StartedAt + options.Value.VerificationGiveUpAfter)
        {
            throw ApiException.NotFound("Verification callback");
        }

        var verified = pending with
        {
            Status = VerificationStatus.Verified,
            VerifiedAt = now,
            LastError = null,
            NextCheckAt = null,
            CallbackTokenHash = null,
            AwaitingCallback = false,
        };
        await store.SetEndpointVerificationAsync(endpoint.Id, verified, now, context.RequestAborted);
        EndpointVerifier.LogCallbackAccepted(logger, endpoint.Id);
        return TypedResults.Ok();
    }
}
