using System.Text.Json;

namespace Herald.Receiver.Schemes;

/// <summary>
/// Stripe: <c>Stripe-Signature: t=&lt;unix&gt;,v1=&lt;hex&gt;[,v1=…]</c>, HMAC-SHA256 over <c>t.body</c> keyed with the
/// UTF-8 bytes of the whole secret (<c>whsec_…</c> included). The id is the event's <c>id</c> in the JSON body.
/// </summary>
internal sealed class StripeScheme() : WebhookScheme("Stripe")
{
    private const string SignatureHeader = "Stripe-Signature";

    public override IReadOnlyDictionary<string, string> Sign(string secret, string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        var unix = Timestamps.ToUnixSeconds(timestamp);
        var mac = Hmac.Compute(DecodeKey(secret), Hmac.Prefix(unix + "."), body);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [SignatureHeader] = $"t={unix},v1={Convert.ToHexStringLower(mac)}",
        };
    }

    internal override byte[] DecodeKey(string secret) =>
        string.IsNullOrEmpty(secret) ? throw new ArgumentException("A Stripe secret cannot be empty.", nameof(secret)) : Hmac.Prefix(secret);

    internal override WebhookVerificationResult Verify(ReadOnlySpan<byte> body, WebhookHeaders headers, IReadOnlyList<byte[]> keys, TimeSpan tolerance, DateTimeOffset now)
    {
        if (headers[SignatureHeader] is not { } header)
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MissingHeader, $"The {SignatureHeader} header is missing.");
        }

        string? timestampText = null;
        var candidates = new List<byte[]>();
        var v1Count = 0;
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                continue;
            }

            var (key, value) = (part[..equals], part[(equals + 1)..]);
            if (key == "t")
            {
                timestampText = value;
            }
            else if (key == "v1")
            {
                v1Count++;
                if (Hmac.TryFromHex(value) is { } decoded)
                {
                    candidates.Add(decoded);
                }
            }
        }

        if (timestampText is null || Timestamps.ParseUnixSeconds(timestampText) is not { } timestamp)
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MalformedHeader, $"The {SignatureHeader} header has no valid 't=<unix seconds>' element.");
        }

        if (v1Count == 0)
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MalformedHeader, $"The {SignatureHeader} header has no 'v1=' signature.");
        }

        if (!Timestamps.WithinTolerance(timestamp, now, tolerance))
        {
            return Timestamps.OutsideTolerance(timestamp, now, tolerance);
        }

        return Hmac.AnyMatches(keys, candidates, Hmac.Prefix(timestampText + "."), body)
            ? WebhookVerificationResult.Verified(EventId(body), timestamp)
            : WebhookVerificationResult.Failed(WebhookFailure.NoMatchingSignature, $"No v1 signature in {SignatureHeader} matches the body under the configured secrets.");
    }

    /// <summary>The top-level <c>id</c> of a JSON object body (Stripe's <c>evt_…</c>), or null.</summary>
    private static string? EventId(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("id"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString();
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // A verified body that is not JSON simply has no id to deduplicate on.
        }

        return null;
    }
}
