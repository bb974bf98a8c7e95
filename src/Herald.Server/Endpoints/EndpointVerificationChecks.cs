using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Herald.Server.Api;
using Herald.Server.Delivery;
using Herald.Server.Storage;
using Microsoft.Extensions.Options;

namespace Herald.Server.Endpoints;

/// <summary>What one check of an endpoint found.</summary>
internal sealed record VerificationCheck(bool Verified, bool AwaitingCallback, string? Error, int? AllowedRate = null);

/// <summary>
/// The two ways to ask a receiver whether it wants Herald's traffic. Both go through <see cref="WebhookSender"/>'s
/// guarded handler (address check at connect time, no redirects, the https rule), never a client of their own.
/// <list type="bullet">
/// <item>The handshake of the CloudEvents HTTP webhook spec, section 4: <c>OPTIONS</c> with <c>WebHook-Request-Origin</c>
/// (and <c>WebHook-Request-Rate</c> when the endpoint has a throttle rate, and <c>WebHook-Request-Callback</c> when
/// Herald:Api:PublicUrl is set); granted by a 2xx with <c>WebHook-Allowed-Origin</c> equal to the origin or <c>*</c>, or
/// later by a GET or POST of the callback URL.</item>
/// <item>The ping: a POST signed like every webhook, <c>{"type": "endpoint.verification", "challenge": …}</c>; granted by a
/// 2xx whose JSON body has the same <c>challenge</c>.</item>
/// </list>
/// </summary>
internal sealed class EndpointVerificationChecks(
    WebhookSender sender, IVerificationStore store, IEndpointStore endpoints, Ids ids, TimeProvider time, IOptions<DeliveryOptions> delivery, IOptions<ApiOptions> api)
{
    public const string CallbackPath = "/api/v1/endpoint-verification/";
    public const string PingType = "endpoint.verification";

    public Task<VerificationCheck> RunAsync(HeraldEndpoint endpoint, EndpointVerification verification, CancellationToken cancellationToken) =>
        verification.Method == VerificationMethod.Ping
            ? PingAsync(endpoint, cancellationToken)
            : HandshakeAsync(endpoint, verification, cancellationToken);

    /// <summary>A one-time token for the callback URL (256 random bits) and its SHA-256, which is all that is stored.</summary>
    public static (string Token, string Hash) NewToken()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, HashToken(token));
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private async Task<VerificationCheck> HandshakeAsync(HeraldEndpoint endpoint, EndpointVerification verification, CancellationToken cancellationToken)
    {
        var origin = delivery.Value.VerificationOrigin;
        using var request = new HttpRequestMessage(HttpMethod.Options, endpoint.Url);
        request.Headers.TryAddWithoutValidation("WebHook-Request-Origin", origin);
        if (endpoint.ThrottleRate is { } perSecond)
        {
            request.Headers.TryAddWithoutValidation("WebHook-Request-Rate", (perSecond * 60).ToString(CultureInfo.InvariantCulture));
        }

        var callback = api.Value.PublicUrl is { Length: > 0 } publicUrl;
        if (callback)
        {
            // Stored before the request goes out: a receiver may call back before it answers.
            var (token, hash) = NewToken();
            await store.SetEndpointVerificationAsync(endpoint.Id, verification with { CallbackTokenHash = hash }, time.GetUtcNow(), cancellationToken);
            request.Headers.TryAddWithoutValidation("WebHook-Request-Callback", api.Value.PublicUrl!.TrimEnd('/') + CallbackPath + token);
        }

        var (response, error) = await sender.SendGuardedAsync(request, endpoint.Timeout ?? delivery.Value.DefaultTimeout, cancellationToken);
        if (response is null)
        {
            return new VerificationCheck(false, false, "The handshake (OPTIONS) got no answer: " + error);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status is < 200 or >= 300)
            {
                return new VerificationCheck(false, false, $"The handshake (OPTIONS) was answered {status}; a receiver that wants the traffic answers 200 with WebHook-Allowed-Origin.");
            }

            var allowedRate = Header(response, "WebHook-Allowed-Rate") is { } rate && int.TryParse(rate, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : (int?)null;
            if (Header(response, "WebHook-Allowed-Origin") is not { } allowed)
            {
                return callback
                    ? new VerificationCheck(false, true, null, allowedRate)
                    : new VerificationCheck(false, false, "The handshake (OPTIONS) was answered without WebHook-Allowed-Origin.");
            }

            return allowed == "*" || string.Equals(allowed, origin, StringComparison.OrdinalIgnoreCase)
                ? new VerificationCheck(true, false, null, allowedRate)
                : new VerificationCheck(false, false, $"WebHook-Allowed-Origin is '{Clip(allowed)}', not '{origin}' or '*'.");
        }
    }

    private async Task<VerificationCheck> PingAsync(HeraldEndpoint endpoint, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var secrets = await endpoints.GetEndpointSecretsAsync(endpoint.Id, now, cancellationToken);
        var challenge = Base64Url(RandomNumberGenerator.GetBytes(24));
        var body = new JsonObject
        {
            ["type"] = PingType,
            ["timestamp"] = now.ToIso(),
            ["data"] = new JsonObject { ["endpointId"] = endpoint.Id, ["challenge"] = challenge },
        };
        var webhook = new WebhookRequest(
            endpoint.Url, ids.New(Ids.Message), Encoding.UTF8.GetBytes(body.ToJsonString()), secrets.Select(s => s.Key).ToList(),
            endpoint.Headers, endpoint.Timeout ?? delivery.Value.DefaultTimeout);
        var outcome = await sender.SendAsync(webhook, cancellationToken);
        if (!outcome.Succeeded)
        {
            return new VerificationCheck(false, false, outcome.Error is { } e
                ? "The verification ping failed: " + e
                : $"The verification ping was answered {outcome.StatusCode}.");
        }

        return Echoed(outcome.Response, challenge)
            ? new VerificationCheck(true, false, null)
            : new VerificationCheck(false, false, "The verification ping was answered 2xx without the challenge: answer {\"challenge\": \"<data.challenge>\"}.");
    }

    private static bool Echoed(string? response, string challenge)
    {
        if (response is null)
        {
            return false;
        }

        try
        {
            return JsonNode.Parse(response) is JsonObject answer && answer["challenge"] is JsonValue value
                && value.TryGetValue<string>(out var echoed)
                && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(echoed), Encoding.UTF8.GetBytes(challenge));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    private static string Clip(string value) => value.Length <= 100 ? value : value[..100] + "…";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
