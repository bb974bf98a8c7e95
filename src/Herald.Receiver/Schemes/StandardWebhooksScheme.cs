namespace Herald.Receiver.Schemes;

/// <summary>
/// Standard Webhooks: HMAC-SHA256 over <c>id.timestamp.body</c>, key = base64 of the secret after <c>whsec_</c>,
/// header holds space-separated <c>v1,&lt;base64&gt;</c> entries (several during key rotation).
/// </summary>
internal sealed class StandardWebhooksScheme(string name, string headerPrefix) : WebhookScheme(name)
{
    private const string SecretPrefix = "whsec_";

    private string IdHeader { get; } = headerPrefix + "id";

    private string TimestampHeader { get; } = headerPrefix + "timestamp";

    private string SignatureHeader { get; } = headerPrefix + "signature";

    public override IReadOnlyDictionary<string, string> Sign(string secret, string messageId, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        var unix = Timestamps.ToUnixSeconds(timestamp);
        var mac = Hmac.Compute(DecodeKey(secret), Hmac.Prefix($"{messageId}.{unix}."), body);
        return new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [IdHeader] = messageId,
            [TimestampHeader] = unix,
            [SignatureHeader] = "v1," + Convert.ToBase64String(mac),
        };
    }

    internal override byte[] DecodeKey(string secret)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        return Hmac.TryFromBase64(encoded)
            ?? throw new ArgumentException($"A {Name} secret is base64 (optionally prefixed with '{SecretPrefix}').", nameof(secret));
    }

    internal override WebhookVerificationResult Verify(ReadOnlySpan<byte> body, WebhookHeaders headers, IReadOnlyList<byte[]> keys, TimeSpan tolerance, DateTimeOffset now)
    {
        var id = headers[IdHeader];
        var timestampText = headers[TimestampHeader];
        var signatures = headers[SignatureHeader];
        if (id is null || timestampText is null || signatures is null)
        {
            var missing = id is null ? IdHeader : timestampText is null ? TimestampHeader : SignatureHeader;
            return WebhookVerificationResult.Failed(WebhookFailure.MissingHeader, $"The {missing} header is missing.");
        }

        if (Timestamps.ParseUnixSeconds(timestampText) is not { } timestamp)
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MalformedHeader, $"The {TimestampHeader} header is not a Unix time in seconds.");
        }

        if (!Timestamps.WithinTolerance(timestamp, now, tolerance))
        {
            return Timestamps.OutsideTolerance(timestamp, now, tolerance);
        }

        var candidates = new List<byte[]>();
        foreach (var entry in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            // Entries of other versions (e.g. v1a, asymmetric) are not ours to check; undecodable ones cannot match.
            if (entry.StartsWith("v1,", StringComparison.Ordinal) && Hmac.TryFromBase64(entry[3..]) is { } decoded)
            {
                candidates.Add(decoded);
            }
        }

        if (candidates.Count == 0 && !signatures.Contains("v1,", StringComparison.Ordinal))
        {
            return WebhookVerificationResult.Failed(WebhookFailure.MalformedHeader, $"The {SignatureHeader} header holds no 'v1,<base64>' entry.");
        }

        return Hmac.AnyMatches(keys, candidates, Hmac.Prefix($"{id}.{timestampText}."), body)
            ? WebhookVerificationResult.Verified(id, timestamp)
            : WebhookVerificationResult.Failed(WebhookFailure.NoMatchingSignature, $"No signature in {SignatureHeader} matches the body under the configured secrets.");
    }
}
